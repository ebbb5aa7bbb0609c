using System.Net;
using System.Text;

namespace Grid.FireSafety.Domain;

/// <summary>
/// 整改通知书 as a printable HTML page. The default legal basis cites the Fire Protection Law of the PRC
/// (2021 amendment): 第十六条 (the unit's duties, incl. "(五)组织防火检查，及时消除火灾隐患") and 第六十条 (penalties,
/// incl. "(七)对火灾隐患经消防救援机构通知后不及时采取措施消除的", 责令改正, 处五千元以上五万元以下罚款).
/// </summary>
public static class RectificationNoticeDocument
{
    public static readonly string[] DefaultLegalBasis =
    [
        "《中华人民共和国消防法》第十六条：机关、团体、企业、事业等单位应当……组织防火检查，及时消除火灾隐患",
        "《中华人民共和国消防法》第六十条：对火灾隐患经消防救援机构通知后不及时采取措施消除的，责令改正，处五千元以上五万元以下罚款",
    ];

    public static string Render(RectificationNotice n, string? gridName)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var china = TimeSpan.FromHours(8);
        var issued = n.IssuedAt.ToOffset(china);
        var deadline = n.Deadline.ToOffset(china);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>整改通知书 ").Append(E(n.Number)).Append("</title>")
          .Append("<style>body{font-family:'Noto Serif CJK SC','SimSun',serif;max-width:720px;margin:2em auto;line-height:1.8}")
          .Append("h1{text-align:center;letter-spacing:.3em}.no{text-align:right}.sign{text-align:right;margin-top:3em}")
          .Append("@media print{body{margin:0}}</style></head><body>");
        sb.Append("<h1>整改通知书</h1>");
        sb.Append("<p class=\"no\">").Append(E(n.Number)).Append("</p>");
        sb.Append("<p><strong>").Append(E(n.UnitName)).Append("</strong>");
        if (!string.IsNullOrEmpty(n.UnitAddress))
        {
            sb.Append("（").Append(E(n.UnitAddress)).Append("）");
        }

        sb.Append("：</p>");
        sb.Append("<p>经检查，你单位（场所）存在下列火灾隐患（案件编号 ").Append(E(n.CaseNumber));
        if (!string.IsNullOrEmpty(gridName))
        {
            sb.Append("，所在网格：").Append(E(gridName));
        }

        sb.Append("）：</p><ol>");
        foreach (var item in n.Items)
        {
            sb.Append("<li>").Append(E(item)).Append("</li>");
        }

        sb.Append("</ol><p>依据：</p><ul>");
        foreach (var basis in n.LegalBasis)
        {
            sb.Append("<li>").Append(E(basis)).Append("</li>");
        }

        sb.Append("</ul><p>责令你单位（场所）于 <strong>").Append(deadline.ToString("yyyy年M月d日")).Append("</strong> 前整改完毕，")
          .Append("整改期间应当采取措施，确保消防安全。逾期未整改的，将依法处理并逐级上报。整改完毕后请及时报告，我们将进行复查。</p>");
        sb.Append("<p class=\"sign\">").Append(E(n.IssuerName)).Append("<br>").Append(issued.ToString("yyyy年M月d日")).Append("</p>");
        sb.Append("<p>被检查单位（场所）签收：________________ 日期：____________</p>");
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
