namespace Grid.FireSafety.Domain;

/// <summary>
/// 场所/单位: a place under fire supervision, one file per building, compound or unit (一楼一档/一院一档/一单位一档),
/// linked to a regulated subject of the organization service by id only.
/// </summary>
public sealed class Place
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public PlaceCategory Category { get; set; }

    /// <summary>Only for <see cref="PlaceCategory.NineSmall"/>.</summary>
    public NineSmallKind? NineSmallKind { get; set; }

    public FileKind FileKind { get; set; }

    /// <summary>监管主体, decided by the category when the place is filed or re-categorised.</summary>
    public SupervisingAuthority Authority { get; set; }

    /// <summary>The regulated subject's id in the organization service (统一社会信用代码 or subject id).</summary>
    public string? SubjectId { get; set; }

    public string GridId { get; set; } = "";

    /// <summary>The grid's ancestor path, root first: scope checks and roll-ups without asking anyone.</summary>
    public string[] GridPath { get; set; } = [];

    public string Address { get; set; } = "";

    /// <summary>消防安全责任人.</summary>
    public string ResponsiblePerson { get; set; } = "";

    public string? ResponsiblePhone { get; set; }

    /// <summary>消防安全管理人.</summary>
    public string? Manager { get; set; }

    public string? ManagerPhone { get; set; }

    /// <summary>标牌化管理 of a nine-small venue (003 四(二)4).</summary>
    public PlaceSignage? Signage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// 九小场所标牌: "标志场所火灾危险性,明示消防管理人员,提示消防注意事项,警示业主和消费人员" (003 四(二)4).
/// </summary>
public sealed class PlaceSignage
{
    /// <summary>火灾危险性: high, medium, low.</summary>
    public string FireRisk { get; set; } = "";

    /// <summary>明示消防管理人员 (name and phone shown on the sign).</summary>
    public string ManagerShown { get; set; } = "";

    /// <summary>消防注意事项.</summary>
    public string Precautions { get; set; } = "";

    /// <summary>警示 to owner and customers.</summary>
    public string Warning { get; set; } = "";
}

/// <summary>网格消防责任: a person on fire duty for a grid in a role, from a date (to a date).</summary>
public sealed class DutyAssignment
{
    public Guid Id { get; set; }

    public string StaffId { get; set; } = "";

    public string Name { get; set; } = "";

    public string Role { get; set; } = "";

    public string GridId { get; set; } = "";

    public string GridLevel { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public DateOnly From { get; set; }

    public DateOnly? To { get; set; }
}

/// <summary>检查/巡查记录: who inspected where and when, the checklist by area, findings and photos.</summary>
public sealed class InspectionRecord
{
    public Guid Id { get; set; }

    public string InspectorId { get; set; } = "";

    public string InspectorName { get; set; } = "";

    public string Role { get; set; } = "";

    public InspectionActivity Activity { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public Guid? PlaceId { get; set; }

    /// <summary>When it took place (UTC); an offline device sends it back-dated and it is kept as sent.</summary>
    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public List<ChecklistItem> Checklist { get; set; } = [];

    public List<InspectionFinding> Findings { get; set; } = [];

    public List<string> PhotoRefs { get; set; } = [];

    public string? Notes { get; set; }
}

/// <summary>检查项 by area: fire (用火/疏散/设施), electricity (用电), fuel (用油), gas (用气).</summary>
public sealed class ChecklistItem
{
    public string Area { get; set; } = "";

    public string Item { get; set; } = "";

    public bool Ok { get; set; }

    public string? Note { get; set; }

    public static readonly string[] Areas = ["fire", "electricity", "fuel", "gas"];
}

/// <summary>发现的问题: a finding; it becomes a hazard case when it is not fixed on the spot.</summary>
public sealed class InspectionFinding
{
    public string Area { get; set; } = "";

    public string Description { get; set; } = "";

    public bool FixedOnSpot { get; set; }

    public Guid? HazardId { get; set; }
}

/// <summary>公共消防器材配置点 / 消防队装备: a point with its custodian and stock.</summary>
public sealed class EquipmentPoint
{
    public Guid Id { get; set; }

    public EquipmentPointKind Kind { get; set; }

    public string Name { get; set; } = "";

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>明确专人负责管理: the custodian's staff id and name.</summary>
    public string CustodianId { get; set; } = "";

    public string CustodianName { get; set; } = "";

    public List<EquipmentItem> Items { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One stock line at an equipment point.</summary>
public sealed class EquipmentItem
{
    public string Item { get; set; } = "";

    public decimal Quantity { get; set; }

    public DateOnly? ExpiresOn { get; set; }
}

/// <summary>乡镇达标评定: whether a township met "责任明晰、机制健全、运行高效" in a year.</summary>
public sealed class TownshipAssessment
{
    public Guid Id { get; set; }

    public string GridId { get; set; } = "";

    public int Year { get; set; }

    public bool MeetsStandard { get; set; }

    public string AssessedBy { get; set; } = "";

    public DateTimeOffset AssessedAt { get; set; }
}
