namespace Grid.LaborInspection.Domain;

/// <summary>
/// 检查记录: one visit of an employer — a routine inspection (巡视检查) its risk interval asked for, or a campaign's task
/// (专项检查) — with the checklist gone through and what was found. Findings that need rectification carry a
/// deadline (限期整改) and may open a case to follow them up.
/// </summary>
public sealed class Inspection
{
    public Guid Id { get; set; }

    public Guid EmployerId { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>The campaign task this visit completed; null for a routine inspection.</summary>
    public Guid? TaskId { get; set; }

    public Guid? CampaignId { get; set; }

    public DateOnly InspectedOn { get; set; }

    public string InspectorId { get; set; } = "";

    public string InspectorName { get; set; } = "";

    public string? Summary { get; set; }

    public List<ChecklistEntry> Checklist { get; set; } = [];

    public List<InspectionFinding> Findings { get; set; } = [];

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>One line of the checklist: the item checked, whether it complied, a note.</summary>
public sealed class ChecklistEntry
{
    /// <summary>The points a labor inspection goes through (劳动合同, 工资支付, 社会保险, 工作时间, 劳动条件, 未成年工/女职工保护 …).</summary>
    public static readonly string[] Items = ["contracts", "wages", "insurance", "hours", "conditions", "minors", "other"];

    public string Item { get; set; } = "";

    public bool Ok { get; set; }

    public string? Note { get; set; }
}

/// <summary>A violation found: what, until when it must be put right, and the case that follows it up.</summary>
public sealed class InspectionFinding
{
    public string Description { get; set; } = "";

    /// <summary>整改期限; null when corrected on the spot or not to be rectified (e.g. handed to another department).</summary>
    public DateOnly? RectifyBy { get; set; }

    /// <summary>The follow-up case (跟踪督办, or a transfer to another department from it).</summary>
    public Guid? CaseId { get; set; }
}
