namespace Grid.Contracts.Events;

/// <summary>
/// 预警书: a written warning was issued to a cadre (领导干部). Names the cadre's file and the employing unit, never
/// who reported what; <see cref="CountInWindow"/> is the cadre's warnings within the configured window, this one included.
/// </summary>
public sealed record CadreWarningIssued : IntegrationEvent
{
    public Guid WarningId { get; init; }

    public Guid CadreId { get; init; }

    /// <summary>The employing unit (a department of the organization service).</summary>
    public string DepartmentId { get; init; } = "";

    /// <summary>The cadre's residential grid (八小时之外).</summary>
    public string GridId { get; init; } = "";

    public int CountInWindow { get; init; }
}

/// <summary>
/// A consequence of a warning that falls on the employing unit: warning education (警告教育), a written explanation
/// by the unit's head (书面说明, with a deadline), or the unit named in a circular with its leaders held accountable
/// (通报, 追究责任).
/// </summary>
public sealed record CadreUnitTaskAssigned : IntegrationEvent
{
    public Guid TaskId { get; init; }

    public Guid WarningId { get; init; }

    public Guid CadreId { get; init; }

    public string DepartmentId { get; init; } = "";

    /// <summary>warning-education, written-explanation, circular.</summary>
    public string Kind { get; init; } = "";

    public DateOnly? DueBy { get; init; }
}

/// <summary>
/// 问责建议: a measure (通报批评, 诫勉谈话, 一票否决, 责任倒查) proposed for a responsible person or unit from the
/// breaches counted against them; the discipline commission confirms or dismisses it.
/// </summary>
public sealed record AccountabilityMeasureProposed : IntegrationEvent
{
    public Guid ProposalId { get; init; }

    public string Responsible { get; init; } = "";

    /// <summary>criticism, admonishment, veto, trace-back.</summary>
    public string Measure { get; init; } = "";

    /// <summary>The period counted (yyyy-MM).</summary>
    public string Period { get; init; } = "";

    public int Breaches { get; init; }
}
