namespace Grid.Contracts.Events;

/// <summary>上报: a case came in. Never carries who reported it (举报保密).</summary>
public sealed record CaseReported : CaseEvent
{
    public string Category { get; init; } = "";

    public string Severity { get; init; } = "";

    public string Title { get; init; } = "";

    /// <summary>patrol, inspection, complaint, hotline, sensor, transfer, assignment.</summary>
    public string Source { get; init; } = "";

    public double? Longitude { get; init; }

    public double? Latitude { get; init; }

    /// <summary>When the system received it; differs from OccurredAt for offline, back-dated reports.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>立案: accepted and registered.</summary>
public sealed record CaseAccepted : CaseEvent
{
    public string AcceptedBy { get; init; } = "";

    public DateTimeOffset? HandleBy { get; init; }
}

/// <summary>不予立案: refused at acceptance, with the reason.</summary>
public sealed record CaseRejected : CaseEvent
{
    public string Reason { get; init; } = "";
}

/// <summary>派遣: sent to the people or department who will handle it.</summary>
public sealed record CaseDispatched : CaseEvent
{
    public string Assignee { get; init; } = "";

    public string? Department { get; init; }

    public DateTimeOffset? HandleBy { get; init; }
}

/// <summary>处置反馈: the handler reports it done.</summary>
public sealed record CaseHandled : CaseEvent
{
    public string HandledBy { get; init; } = "";

    public string Result { get; init; } = "";
}

/// <summary>核查通过: verification confirmed the result.</summary>
public sealed record CaseVerified : CaseEvent
{
    public string VerifiedBy { get; init; } = "";
}

/// <summary>返工: verification failed; the case goes back to handling.</summary>
public sealed record CaseReopened : CaseEvent
{
    public string Reason { get; init; } = "";

    public int ReopenCount { get; init; }

    /// <summary>Whose result failed verification: the assignee, or empty when the holding grid handled it itself.</summary>
    public string Responsible { get; init; } = "";

    /// <summary>The grid holding the case when it was reopened.</summary>
    public string ResponsibleGridId { get; init; } = "";
}

/// <summary>结案: closed (逐级盘点销号).</summary>
public sealed record CaseClosed : CaseEvent
{
    public string ClosedBy { get; init; } = "";

    /// <summary>True when every step met its deadline (按期结案).</summary>
    public bool OnTime { get; init; }

    public DateTimeOffset ReportedAt { get; init; }

    /// <summary>Who handled it: the assignee, or empty when the holding grid handled it itself (late closures are theirs).</summary>
    public string Responsible { get; init; } = "";

    /// <summary>The grid holding the case when it closed.</summary>
    public string ResponsibleGridId { get; init; } = "";
}

/// <summary>Why a case went up the grid chain.</summary>
public static class EscalationReasons
{
    public const string CannotHandle = "cannot-handle";
    public const string Overdue = "overdue";
    public const string Major = "major";
}

/// <summary>逐级上报: ownership moved from one grid to an ancestor.</summary>
public sealed record CaseEscalated : CaseEvent
{
    public string FromGridId { get; init; } = "";

    public string ToGridId { get; init; } = "";

    /// <summary>See <see cref="EscalationReasons"/>.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>超期: a step's deadline passed; names the step and whose deadline it was.</summary>
public sealed record CaseDeadlineBreached : CaseEvent
{
    /// <summary>accept, handle, verify, transfer, report-for-duty.</summary>
    public string Step { get; init; } = "";

    public DateTimeOffset Deadline { get; init; }

    /// <summary>The grid, person or department the deadline belonged to.</summary>
    public string Responsible { get; init; } = "";

    public string ResponsibleGridId { get; init; } = "";
}

/// <summary>移交: asks another domain to take a case outside the sender's remit.</summary>
public sealed record CaseTransferRequested : CaseEvent
{
    public Guid TransferId { get; init; }

    public string TargetDomain { get; init; } = "";

    public string Category { get; init; } = "";

    public string Severity { get; init; } = "";

    public string Title { get; init; } = "";

    public string Description { get; init; } = "";

    public double? Longitude { get; init; }

    public double? Latitude { get; init; }

    public DateTimeOffset? ResultDueBy { get; init; }
}

/// <summary>The target domain opened its own case for a transfer.</summary>
public sealed record CaseTransferAccepted : CaseEvent
{
    public Guid TransferId { get; init; }

    /// <summary>The origin case in the sending domain.</summary>
    public Guid OriginCaseId { get; init; }

    public string OriginDomain { get; init; } = "";
}

/// <summary>将结果反馈移交单位: the target's case closed; the origin case continues.</summary>
public sealed record CaseTransferResult : CaseEvent
{
    public Guid TransferId { get; init; }

    public Guid OriginCaseId { get; init; }

    public string OriginDomain { get; init; } = "";

    /// <summary>resolved, rejected.</summary>
    public string Outcome { get; init; } = "";

    public string Result { get; init; } = "";
}

/// <summary>吹哨: a department is summoned to a case or grid, with a deadline to report for duty.</summary>
public sealed record DepartmentSummoned : CaseEvent
{
    public Guid SummonsId { get; init; }

    public string DepartmentId { get; init; } = "";

    public string SummonedBy { get; init; } = "";

    public DateTimeOffset ReportBy { get; init; }

    public string Reason { get; init; } = "";
}

/// <summary>报到: the summoned department reported for duty.</summary>
public sealed record DepartmentReported : CaseEvent
{
    public Guid SummonsId { get; init; }

    public string DepartmentId { get; init; } = "";

    public DateTimeOffset ReportBy { get; init; }

    public bool Late { get; init; }
}
