using Grid.Contracts.Events;

namespace Grid.CommandCenter.Domain;

/// <summary>
/// 案件动态: what one integration event says about a case in the command centre's view. Every field is
/// optional because events can arrive in any order; the read model merges each field by its own rule
/// (first time, last time, latest state by OccurredAt), so applying changes in any order gives one result.
/// </summary>
public sealed record CaseChange
{
    public required Guid CaseId { get; init; }
    public string Domain { get; init; } = "";
    public string CaseNumber { get; init; } = "";
    public string GridId { get; init; } = "";
    public string[] GridPath { get; init; } = [];
    public required DateTime OccurredAt { get; init; }

    /// <summary>The state the event puts the case in, or null when it does not move the state.</summary>
    public string? State { get; init; }
    public string? Category { get; init; }
    public string? Severity { get; init; }
    public string? Title { get; init; }
    public string? Source { get; init; }
    public double? Longitude { get; init; }
    public double? Latitude { get; init; }
    public DateTime? ReportedAt { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public DateTime? RejectedAt { get; init; }
    public DateTime? DispatchedAt { get; init; }
    public DateTime? HandleBy { get; init; }
    public string? Department { get; init; }
    public DateTime? HandledAt { get; init; }
    public DateTime? VerifiedAt { get; init; }
    public DateTime? ClosedAt { get; init; }
    public bool? OnTime { get; init; }
    public int? ReopenCount { get; init; }
    public DateTime? ReopenedAt { get; init; }
    public int BreachIncrement { get; init; }
    public DateTime? BreachedAt { get; init; }
    public string? BreachStep { get; init; }
    public string? BreachResponsible { get; init; }
    public DateTime? EscalatedAt { get; init; }
    public string? EscalationReason { get; init; }
    public string? EscalatedTo { get; init; }
    public DateTime? ListedAt { get; init; }
    public DateTime? TransferredAt { get; init; }
}

/// <summary>移交在途: a transfer between domains as far as the events so far tell.</summary>
public sealed record TransferChange
{
    public required Guid TransferId { get; init; }
    public Guid? OriginCaseId { get; init; }
    public string? OriginDomain { get; init; }
    public string? TargetDomain { get; init; }
    public Guid? TargetCaseId { get; init; }
    public string? GridId { get; init; }
    public string[]? GridPath { get; init; }
    public string? Title { get; init; }
    public DateTime? RequestedAt { get; init; }
    public DateTime? ResultDueBy { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public DateTime? ResultAt { get; init; }
    public string? Outcome { get; init; }
}

/// <summary>吹哨报到: a summons of a department and its report for duty.</summary>
public sealed record SummonsChange
{
    public required Guid SummonsId { get; init; }
    public Guid? CaseId { get; init; }
    public string Domain { get; init; } = "";
    public string GridId { get; init; } = "";
    public string[] GridPath { get; init; } = [];
    public string DepartmentId { get; init; } = "";
    public string? SummonedBy { get; init; }
    public string? Reason { get; init; }
    public DateTime? SummonedAt { get; init; }
    public DateTime ReportBy { get; init; }
    public DateTime? ReportedAt { get; init; }
}

/// <summary>Case states as the command centre shows them (docs/domain.md §4).</summary>
public static class CaseStates
{
    public const string Unknown = "unknown";
    public const string Reported = "reported";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Dispatched = "dispatched";
    public const string Handling = "handling";
    public const string Handled = "handled";
    public const string Verified = "verified";
    public const string Closed = "closed";
    public const string Reopened = "reopened";
    public const string Transferred = "transferred";

    /// <summary>States in which a case no longer needs anyone's work.</summary>
    public static readonly string[] Finished = [Closed, Rejected];
}

/// <summary>Turns integration events into read-model changes. Pure: no I/O, so it is tested directly.</summary>
public static class CaseProjection
{
    public static DateTime Utc(DateTimeOffset t) => t.UtcDateTime;

    static DateTime? Utc(DateTimeOffset? t) => t?.UtcDateTime;

    public static CaseChange? ToCaseChange(IntegrationEvent e)
    {
        if (e is not CaseEvent c || c.CaseId == Guid.Empty)
        {
            return null;
        }

        var at = Utc(c.OccurredAt);
        var basis = new CaseChange
        {
            CaseId = c.CaseId,
            Domain = c.Domain,
            CaseNumber = c.CaseNumber,
            GridId = c.GridId,
            GridPath = c.GridPath.ToArray(),
            OccurredAt = at,
        };
        return c switch
        {
            CaseReported r => basis with
            {
                State = CaseStates.Reported,
                Category = r.Category,
                Severity = r.Severity,
                Title = r.Title,
                Source = r.Source,
                Longitude = r.Longitude,
                Latitude = r.Latitude,
                ReportedAt = at,
            },
            CaseAccepted a => basis with { State = CaseStates.Accepted, AcceptedAt = at, HandleBy = Utc(a.HandleBy) },
            CaseRejected => basis with { State = CaseStates.Rejected, RejectedAt = at },
            CaseDispatched d => basis with
            {
                State = CaseStates.Dispatched,
                DispatchedAt = at,
                HandleBy = Utc(d.HandleBy),
                Department = string.IsNullOrWhiteSpace(d.Department) ? null : d.Department,
            },
            CaseHandled => basis with { State = CaseStates.Handled, HandledAt = at },
            CaseVerified => basis with { State = CaseStates.Verified, VerifiedAt = at },
            CaseReopened o => basis with { State = CaseStates.Reopened, ReopenedAt = at, ReopenCount = Math.Max(1, o.ReopenCount) },
            CaseClosed x => basis with
            {
                State = CaseStates.Closed,
                ClosedAt = at,
                OnTime = x.OnTime,
                ReportedAt = x.ReportedAt == default ? null : Utc(x.ReportedAt),
            },
            CaseEscalated s => basis with
            {
                EscalatedAt = at,
                EscalationReason = s.Reason,
                EscalatedTo = s.ToGridId,
                ListedAt = s.Reason == EscalationReasons.Major ? at : null,
            },
            CaseDeadlineBreached b => basis with
            {
                BreachIncrement = 1,
                BreachedAt = at,
                BreachStep = b.Step,
                BreachResponsible = b.Responsible,
            },
            CaseTransferRequested => basis with { State = CaseStates.Transferred, TransferredAt = at },
            // The result comes back on the origin case: it continues there (将结果反馈移交单位).
            CaseTransferResult t when t.OriginCaseId != Guid.Empty => new CaseChange
            {
                CaseId = t.OriginCaseId,
                Domain = t.OriginDomain,
                OccurredAt = at,
                State = CaseStates.Handling,
            },
            _ => null,
        };
    }

    public static TransferChange? ToTransferChange(IntegrationEvent e) => e switch
    {
        CaseTransferRequested r => new TransferChange
        {
            TransferId = r.TransferId,
            OriginCaseId = r.CaseId,
            OriginDomain = r.Domain,
            TargetDomain = r.TargetDomain,
            GridId = r.GridId,
            GridPath = r.GridPath.ToArray(),
            Title = r.Title,
            RequestedAt = Utc(r.OccurredAt),
            ResultDueBy = Utc(r.ResultDueBy),
        },
        CaseTransferAccepted a => new TransferChange
        {
            TransferId = a.TransferId,
            OriginCaseId = a.OriginCaseId,
            OriginDomain = a.OriginDomain,
            TargetDomain = a.Domain,
            TargetCaseId = a.CaseId,
            AcceptedAt = Utc(a.OccurredAt),
        },
        CaseTransferResult t => new TransferChange
        {
            TransferId = t.TransferId,
            OriginCaseId = t.OriginCaseId,
            OriginDomain = t.OriginDomain,
            TargetDomain = t.Domain,
            TargetCaseId = t.CaseId,
            ResultAt = Utc(t.OccurredAt),
            Outcome = t.Outcome,
        },
        _ => null,
    };

    public static SummonsChange? ToSummonsChange(IntegrationEvent e) => e switch
    {
        DepartmentSummoned s => new SummonsChange
        {
            SummonsId = s.SummonsId,
            CaseId = s.CaseId == Guid.Empty ? null : s.CaseId,
            Domain = s.Domain,
            GridId = s.GridId,
            GridPath = s.GridPath.ToArray(),
            DepartmentId = s.DepartmentId,
            SummonedBy = s.SummonedBy,
            Reason = s.Reason,
            SummonedAt = Utc(s.OccurredAt),
            ReportBy = Utc(s.ReportBy),
        },
        DepartmentReported r => new SummonsChange
        {
            SummonsId = r.SummonsId,
            CaseId = r.CaseId == Guid.Empty ? null : r.CaseId,
            Domain = r.Domain,
            GridId = r.GridId,
            GridPath = r.GridPath.ToArray(),
            DepartmentId = r.DepartmentId,
            ReportBy = Utc(r.ReportBy),
            ReportedAt = Utc(r.OccurredAt),
        },
        _ => null,
    };
}
