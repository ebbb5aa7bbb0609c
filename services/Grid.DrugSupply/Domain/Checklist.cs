namespace Grid.DrugSupply.Domain;

/// <summary>
/// 四有两个统一: the standard-pharmacy checklist (000 篇10) — purchase and acceptance records with invoices (有购进验收记录),
/// adverse-reaction reporting (有不良反应报告), storage with temperature and humidity monitoring (有温湿度监测储存条件),
/// qualified staff on duty (有合格人员), unified labelling (统一标识) and unified pricing (统一价格). A point is a
/// standard pharmacy only with all six.
/// </summary>
public static class Checklist
{
    public const string PurchaseRecords = "purchaseRecords";
    public const string AdverseReactionReporting = "adverseReactionReporting";
    public const string StorageMonitoring = "storageMonitoring";
    public const string QualifiedStaff = "qualifiedStaff";
    public const string UnifiedLabelling = "unifiedLabelling";
    public const string UnifiedPricing = "unifiedPricing";

    public static readonly IReadOnlyList<string> Items =
        [PurchaseRecords, AdverseReactionReporting, StorageMonitoring, QualifiedStaff, UnifiedLabelling, UnifiedPricing];

    public static string Name(string item) => item switch
    {
        PurchaseRecords => "购进验收记录及票据",
        AdverseReactionReporting => "药品不良反应报告",
        StorageMonitoring => "温湿度监测储存条件",
        QualifiedStaff => "合格药学人员在岗",
        UnifiedLabelling => "统一标识",
        UnifiedPricing => "统一价格",
        _ => item,
    };

    /// <summary>The errors of an answered form: every item must be answered, true or false, and nothing else.</summary>
    public static Dictionary<string, List<string>> Check(IReadOnlyDictionary<string, bool?>? answers)
    {
        var errors = new Dictionary<string, List<string>>();
        if (answers is null)
        {
            errors["items"] = [$"is required: {string.Join(", ", Items)}, each true or false"];
            return errors;
        }

        foreach (var item in Items.Where(i => !answers.TryGetValue(i, out var v) || v is null))
        {
            errors[$"items.{item}"] = ["is required: true or false"];
        }

        foreach (var extra in answers.Keys.Where(k => !Items.Contains(k)))
        {
            errors[$"items.{extra}"] = [$"is not an item of the checklist: {string.Join(", ", Items)}"];
        }

        return errors;
    }

    /// <summary>The items failed, in checklist order.</summary>
    public static List<string> Failed(IReadOnlyDictionary<string, bool?> answers) => [.. Items.Where(i => answers[i] != true)];
}

/// <summary>检查: one checklist inspection of a supply point.</summary>
public sealed class Inspection
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    public InspectionKind Kind { get; set; }

    public DateOnly On { get; set; }

    /// <summary>The items answered no; every other item of the six was answered yes.</summary>
    public List<string> Failed { get; set; } = [];

    /// <summary>The six items as answered.</summary>
    public Dictionary<string, bool> Items() => Checklist.Items.ToDictionary(i => i, i => !Failed.Contains(i));

    public bool Passed { get; set; }

    public string? Notes { get; set; }

    /// <summary>The rectification case a failed inspection opened, or the case this re-inspection was of.</summary>
    public Guid? CaseId { get; set; }

    public bool ReInspection { get; set; }

    public string InspectedBy { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>检查方式.</summary>
public enum InspectionKind
{
    /// <summary>日常检查.</summary>
    Daily,

    /// <summary>突击检查.</summary>
    Surprise,

    /// <summary>GSP 跟踪检查.</summary>
    GspFollowUp,
}
