namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 领导干部 A cadre under dual management (双重管理): inside working hours the employing unit (a department of the
/// organization service), outside the eight hours (八小时之外) the residential grid. One file per cadre (一人一档).
/// </summary>
public sealed class Cadre
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>职务.</summary>
    public string Post { get; set; } = "";

    /// <summary>用人单位: the organization's department id.</summary>
    public string DepartmentId { get; set; } = "";

    public string DepartmentName { get; set; } = "";

    /// <summary>居住网格 (cadre hierarchy).</summary>
    public string GridId { get; set; } = "";

    /// <summary>The residential grid's ancestors, root first, itself last: scope filtering.</summary>
    public string[] GridPath { get; set; } = [];

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// 登记册 One entry in the grid's register about a cadre: an observation by the supervision group, or a resident's
/// report (then <see cref="CaseId"/> is the Casework case holding the sealed resident).
/// </summary>
public sealed class RegisterEntry
{
    public Guid Id { get; set; }

    public Guid CadreId { get; set; }

    /// <summary>observation or report.</summary>
    public string Kind { get; set; } = "";

    /// <summary>四圈: social, life, family, public-welfare.</summary>
    public string Circle { get; set; } = "";

    /// <summary>The checklist item concerned, when one applies.</summary>
    public string? Item { get; set; }

    public string Summary { get; set; } = "";

    public Guid? CaseId { get; set; }

    public string[] GridPath { get; set; } = [];

    public string RecordedBy { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>预警书 A written warning to a cadre; the unit at the time is kept, as the consequences fall on it.</summary>
public sealed class Warning
{
    public Guid Id { get; set; }

    public Guid CadreId { get; set; }

    public string DepartmentId { get; set; } = "";

    public string Reason { get; set; } = "";

    public DateOnly IssuedOn { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public string IssuedBy { get; set; } = "";

    /// <summary>The cadre's warnings within the window, this one included.</summary>
    public int CountInWindow { get; set; }
}

/// <summary>A task a warning put on the employing unit (<see cref="WarningRules"/>).</summary>
public sealed class UnitTask
{
    public Guid Id { get; set; }

    public Guid WarningId { get; set; }

    public Guid CadreId { get; set; }

    public string DepartmentId { get; set; } = "";

    /// <summary>warning-education, written-explanation, circular.</summary>
    public string Kind { get; set; } = "";

    public DateOnly? DueBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Who speaks for an employing unit in cadre supervision (named by the discipline commission).</summary>
public sealed class UnitContact
{
    public string Subject { get; set; } = "";

    public string DepartmentId { get; set; } = "";

    public string NamedBy { get; set; } = "";

    public DateTimeOffset NamedAt { get; set; }
}
