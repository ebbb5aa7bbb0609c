namespace Grid.Contracts.Events;

/// <summary>
/// 不合格: a supply point failed an item of the standard-pharmacy checklist (四有两个统一) and a rectification was
/// ordered (<see cref="CaseId"/>). Published with the case's report.
/// </summary>
public sealed record SupplyPointFailedChecklist : IntegrationEvent
{
    public Guid PointId { get; init; }

    public Guid InspectionId { get; init; }

    /// <summary>The rectification case.</summary>
    public Guid CaseId { get; init; }

    public string GridId { get; init; } = "";

    public IReadOnlyList<string> GridPath { get; init; } = [];

    /// <summary>daily, surprise, gsp-follow-up.</summary>
    public string InspectionKind { get; init; } = "";

    public DateOnly InspectedOn { get; init; }

    /// <summary>The items failed: purchaseRecords, adverseReactionReporting, storageMonitoring, qualifiedStaff, unifiedLabelling, unifiedPricing.</summary>
    public IReadOnlyList<string> Failed { get; init; } = [];
}

/// <summary>
/// 控制/召回: the lab confirmed a batch fake or substandard (假劣药品) and it is blocked at every point that received it.
/// Published with the major case's report (<see cref="MajorCaseId"/>).
/// </summary>
public sealed record DrugBatchRecalled : IntegrationEvent
{
    public Guid SampleId { get; init; }

    public Guid MajorCaseId { get; init; }

    public string Product { get; init; } = "";

    public string BatchNumber { get; init; } = "";

    public string Manufacturer { get; init; } = "";

    /// <summary>fake or substandard.</summary>
    public string Verdict { get; init; } = "";

    /// <summary>The supply points where the batch is blocked.</summary>
    public IReadOnlyList<Guid> PointIds { get; init; } = [];

    /// <summary>The grids of those points (each point's own grid).</summary>
    public IReadOnlyList<string> GridIds { get; init; } = [];
}

/// <summary>
/// 解聘 (动态管理): a township coordinator (协管员) or village informant (信息员) left the drug supervision network; the grid
/// is a blank spot until someone is appointed.
/// </summary>
public sealed record DrugStaffDismissed : IntegrationEvent
{
    /// <summary>The drug network's file.</summary>
    public Guid StaffId { get; init; }

    /// <summary>The person's staff id at the organization service.</summary>
    public string PersonId { get; init; } = "";

    /// <summary>coordinator or informant.</summary>
    public string Kind { get; init; } = "";

    public string GridId { get; init; } = "";

    public IReadOnlyList<string> GridPath { get; init; } = [];

    public DateOnly DismissedOn { get; init; }
}
