using System.Globalization;
using System.Net;
using System.Text;

namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 领导干部表现档案 as a printable HTML page (活页式, one cadre): identity, the register's entries by circle, warnings,
/// commitments. Who reported is never part of a file; a report's entry shows its case number only.
/// </summary>
public static class CadreFileDocument
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>What an entry is, as the file names it: a resident's report by its case number (never who made it), or an observation.</summary>
    public static string KindOf(RegisterEntry e, IReadOnlyDictionary<Guid, string> caseNumbers) =>
        e.Kind == "report" ? "群众反映 " + (e.CaseId is { } id ? caseNumbers.GetValueOrDefault(id) : null) : "监督记录";

    public static string Render(Cadre c, IReadOnlyList<RegisterEntry> entries, IReadOnlyList<Warning> warnings, IReadOnlyList<Commitment> commitments,
        IReadOnlyDictionary<Guid, string> caseNumbers, DateTimeOffset printedAt, string printedBy)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        static string Day(DateTimeOffset at) => at.ToOffset(China).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>领导干部表现档案 ").Append(E(c.Name)).Append("</title>")
          .Append("<style>body{font-family:'Noto Serif CJK SC','SimSun',serif;max-width:780px;margin:2em auto;line-height:1.7}")
          .Append("h1{text-align:center;letter-spacing:.2em}table{width:100%;border-collapse:collapse;margin:.5em 0 1.5em}")
          .Append("th,td{border:1px solid #333;padding:.3em .5em;text-align:left;vertical-align:top}.foot{font-size:.85em;color:#555}")
          .Append("@media print{body{margin:0}}</style></head><body>");
        sb.Append("<h1>领导干部表现档案</h1><table>");
        sb.Append("<tr><th>姓名</th><td>").Append(E(c.Name)).Append("</td><th>职务</th><td>").Append(E(c.Post)).Append("</td></tr>");
        sb.Append("<tr><th>工作单位</th><td>").Append(E(c.DepartmentName)).Append("</td><th>居住网格</th><td>").Append(E(c.GridId)).Append("</td></tr>");
        sb.Append("<tr><th>建档日期</th><td colspan=\"3\">").Append(Day(c.CreatedAt)).Append("</td></tr></table>");

        sb.Append("<h2>网格监督登记</h2><table><tr><th>日期</th><th>四圈</th><th>类别</th><th>内容</th></tr>");
        foreach (var e in entries)
        {
            sb.Append("<tr><td>").Append(Day(e.RecordedAt)).Append("</td><td>").Append(E(FourCircles.Chinese(e.Circle)))
              .Append("</td><td>").Append(E(KindOf(e, caseNumbers)))
              .Append("</td><td>").Append(E(e.Item is null ? e.Summary : $"{e.Item}：{e.Summary}")).Append("</td></tr>");
        }

        sb.Append("</table><h2>预警书</h2><table><tr><th>日期</th><th>累计</th><th>事由</th></tr>");
        foreach (var w in warnings)
        {
            sb.Append("<tr><td>").Append(w.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("</td><td>第")
              .Append(w.CountInWindow).Append("次</td><td>").Append(E(w.Reason)).Append("</td></tr>");
        }

        sb.Append("</table><h2>公开承诺</h2><table><tr><th>年度</th><th>承诺</th><th>践诺情况</th></tr>");
        foreach (var m in commitments)
        {
            sb.Append("<tr><td>").Append(m.Year).Append("</td><td>").Append(E(m.Text)).Append("</td><td>").Append(E(m.Progress)).Append("</td></tr>");
        }

        sb.Append("</table><p class=\"foot\">打印：").Append(E(printedBy)).Append("，").Append(printedAt.ToOffset(China).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))
          .Append("。本档案各记录已入留痕审计链，可按档案编号 ").Append(c.Id).Append(" 核验。</p></body></html>");
        return sb.ToString();
    }
}
