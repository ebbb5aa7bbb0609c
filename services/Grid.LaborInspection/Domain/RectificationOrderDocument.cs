using System.Net;
using System.Text;

namespace Grid.LaborInspection.Domain;

/// <summary>
/// 劳动保障监察限期整改指令书 as a printable HTML page: the violations an inspection found, each with the day by which it
/// must be corrected. The legal basis cited is the Labour Security Supervision Regulation (劳动保障监察条例, 2004):
/// 第十八条 (责令改正 of what should be corrected) and 第三十条 (refusing to correct when ordered is itself fined).
/// </summary>
public static class RectificationOrderDocument
{
    public static readonly string[] LegalBasis =
    [
        "《劳动保障监察条例》第十八条第一款第（二）项：对应当改正未改正的，依法责令改正或者作出相应的行政处理决定",
        "《劳动保障监察条例》第三十条第一款第（三）项：经劳动保障行政部门责令改正拒不改正，或者拒不履行劳动保障行政部门的行政处理决定的，处2000元以上2万元以下的罚款",
    ];

    /// <summary>The order's number: the year of the inspection and the start of its id (unique, stable, printable).</summary>
    public static string Number(Inspection i) => $"劳监限改〔{i.InspectedOn.Year}〕{i.Id.ToString("N")[..8].ToUpperInvariant()}号";

    public static string Render(Inspection inspection, Employer employer, string? gridName, string issuer)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var items = inspection.Findings.Where(f => f.RectifyBy is not null).ToList();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>限期整改指令书 ").Append(E(Number(inspection))).Append("</title>")
          .Append("<style>body{font-family:'Noto Serif CJK SC','SimSun',serif;max-width:720px;margin:2em auto;line-height:1.8}")
          .Append("h1{text-align:center;letter-spacing:.2em}.no{text-align:right}.sign{text-align:right;margin-top:3em}")
          .Append("@media print{body{margin:0}}</style></head><body>");
        sb.Append("<h1>劳动保障监察限期整改指令书</h1>");
        sb.Append("<p class=\"no\">").Append(E(Number(inspection))).Append("</p>");
        sb.Append("<p><strong>").Append(E(employer.Name)).Append("</strong>（统一社会信用代码 ").Append(E(employer.SubjectId))
          .Append("，法定代表人/负责人 ").Append(E(employer.LegalRepresentative)).Append("，地址 ").Append(E(employer.Address)).Append("）：</p>");
        sb.Append("<p>").Append(inspection.InspectedOn.ToString("yyyy年M月d日")).Append("，我单位对你单位遵守劳动保障法律、法规和规章的情况进行了检查");
        if (!string.IsNullOrEmpty(gridName))
        {
            sb.Append("（所在网格：").Append(E(gridName)).Append('）');
        }

        sb.Append("，发现你单位存在下列违法行为，现责令你单位在规定期限内改正：</p><ol>");
        foreach (var f in items)
        {
            sb.Append("<li>").Append(E(f.Description)).Append("，限 <strong>").Append(f.RectifyBy!.Value.ToString("yyyy年M月d日")).Append("</strong> 前改正。</li>");
        }

        sb.Append("</ol><p>依据：</p><ul>");
        foreach (var basis in LegalBasis)
        {
            sb.Append("<li>").Append(E(basis)).Append("</li>");
        }

        sb.Append("</ul><p>请你单位按期改正，并将整改情况书面报送我单位。逾期不改正的，将依法处理。</p>");
        sb.Append("<p>检查人员：").Append(E(inspection.InspectorName)).Append("</p>");
        sb.Append("<p class=\"sign\">").Append(E(issuer)).Append("<br>").Append(inspection.InspectedOn.ToString("yyyy年M月d日")).Append("</p>");
        sb.Append("<p>用人单位签收：________________ 日期：____________</p>");
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
