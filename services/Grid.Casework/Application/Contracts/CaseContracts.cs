using System.Security.Claims;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Application;

/// <summary>A new report (上报). Reporter identity is optional and is stored sealed, apart from the case.</summary>
public sealed record ReportCaseRequest
{
    public string? Category { get; init; }

    public string? Severity { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }

    /// <summary>patrol, inspection, complaint, hotline, sensor, assignment (transfer is set by the system).</summary>
    public string? Source { get; init; }

    /// <summary>The grid where it happened; or give longitude/latitude and the grid is resolved.</summary>
    public string? GridId { get; init; }

    public double? Longitude { get; init; }

    public double? Latitude { get; init; }

    /// <summary>Device time for offline, back-dated reports; defaults to the receipt time.</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    public ReporterIdentity? Reporter { get; init; }
}

/// <summary>The body of a life-cycle step; each step reads the fields it needs and names any that are missing.</summary>
public sealed record CaseActionRequest
{
    /// <summary>reject, verify (fail), escalate, summon.</summary>
    public string? Reason { get; init; }

    /// <summary>dispatch: who handles it.</summary>
    public string? Assignee { get; init; }

    /// <summary>dispatch: the department handling it.</summary>
    public string? Department { get; init; }

    /// <summary>dispatch: a handle-by earlier than the policy's.</summary>
    public DateTimeOffset? HandleBy { get; init; }

    /// <summary>handle: what was done (反馈).</summary>
    public string? Result { get; init; }

    /// <summary>verify: true passes, false sends it back (返工).</summary>
    public bool? Passed { get; init; }

    /// <summary>escalate: straight to the top of the chain instead of one level.</summary>
    public bool? ToTop { get; init; }

    /// <summary>transfer: the competent domain.</summary>
    public string? TargetDomain { get; init; }

    /// <summary>transfer: when the result is due back.</summary>
    public DateTimeOffset? ResultDueBy { get; init; }

    /// <summary>summon: the department summoned (吹哨).</summary>
    public string? DepartmentId { get; init; }

    /// <summary>summon: report-for-duty deadline (报到).</summary>
    public DateTimeOffset? ReportBy { get; init; }

    /// <summary>report-for-duty: which summons.</summary>
    public Guid? SummonsId { get; init; }
}

/// <summary>A case as every reader sees it. Never carries the reporter's identity.</summary>
public sealed record CaseView(
    Guid Id, string Number, string Domain, string Category, string Severity, string Title, string Description, string Source,
    string GridId, IReadOnlyList<string> GridPath, string HolderGridId, double? Longitude, double? Latitude, string State,
    DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt, string EnteredBy, string? Assignee,
    string? Department, string? Step, DateTimeOffset? StepDeadline, int ReopenCount, bool Breached, string? Result,
    Guid? TransferId, string? TransferDomain, Guid? TransferCaseId, string? TransferCaseNumber, string? OriginDomain,
    Guid? OriginCaseId, IReadOnlyList<string> AllowedActions)
{
    public static CaseView From(Case c) => new(
        c.Id, c.Number, c.Domain, c.Category, c.Severity, c.Title, c.Description, c.Source, c.GridId, c.GridPath, c.HolderGridId,
        c.Longitude, c.Latitude, CaseNames.Of(c.State), c.OccurredAt, c.ReceivedAt, c.UpdatedAt, c.EnteredBy, c.Assignee,
        c.Department, c.Step, c.StepDeadline, c.ReopenCount, c.Breached, c.Result, c.TransferId, c.TransferDomain,
        c.TransferCaseId, c.TransferCaseNumber, c.OriginDomain, c.OriginCaseId,
        CaseLifecycle.AllowedFrom(c.State).Select(CaseNames.Of).ToList());
}

/// <summary>批量上报: reports sent together (a device back in reach, a department system's export).</summary>
public sealed record ReportBatchRequest(IReadOnlyList<ReportBatchItem?>? Reports);

/// <summary>One report of a batch; its Idempotency-Key, if any, makes a resent batch open nothing twice.</summary>
public sealed record ReportBatchItem(string? IdempotencyKey, ReportCaseRequest? Report);

/// <summary>The outcome of one report of a batch, in the order sent: 201 with the case, 200 with the case an earlier
/// send of its key opened, or the status and problem details (errors by field) the report alone would have had.</summary>
public sealed record ReportBatchResult(int Index, int Status, CaseView? Case, object? Problem);

/// <summary>The answer to a batch: how many reports were opened, answered from an earlier send, or refused.</summary>
public sealed record ReportBatchResponse(int Created, int Repeated, int Refused, IReadOnlyList<ReportBatchResult> Results);

public sealed record CasePage(IReadOnlyList<CaseView> Items, string? NextCursor);

public sealed record SummonsView(Guid Id, Guid CaseId, string DepartmentId, DateTimeOffset ReportBy, DateTimeOffset? ReportedAt, bool? Late);

/// <summary>
/// The answer of audit/verify: whether the chain holds over the scope checked (chain, day or case), the entries walked,
/// the first broken place and why, the chain's head now, and whether a seal was checked.
/// </summary>
public sealed record AuditVerification(bool Valid, long Entries, long? FirstBrokenSeq, string? Reason, string Scope = "chain", long HeadSeq = 0, string? HeadHash = null, bool SealChecked = false);
