using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.Casework.Application;

/// <summary>
/// The one entry to the case life cycle for endpoints, domain services and consumers. Each operation is written by
/// the handler of its group: intake (<see cref="CaseIntake"/>), the steps (<see cref="CaseStepHandler"/>), transfers
/// (<see cref="TransferHandler"/>), summons (<see cref="SummonsHandler"/>) and reads (<see cref="CaseReads"/>); the rules
/// of a step are the case's own (<see cref="Case"/>, <see cref="CaseLifecycle"/>) and who may take it is
/// <see cref="CaseAccess"/>'s.
/// </summary>
public sealed class CaseService(
    CaseworkOptions options,
    CaseAccess access,
    CaseIntake intake,
    CaseStepHandler steps,
    TransferHandler transfers,
    SummonsHandler summons,
    CaseReads reads) : IAsyncDisposable
{
    public const int MaxTitle = CaseLimits.MaxTitle;
    public const int MaxShort = CaseLimits.MaxShort;
    public const int MaxIdempotencyKey = CaseLimits.MaxIdempotencyKey;

    public CaseworkOptions Options => options;

    public CaseRoles Roles => access.Roles;

    /// <summary>上报: 201 with the new case, 200 with the case the same Idempotency-Key opened before, or the refusal.</summary>
    public Task<CaseOutcome> ReportAsync(ReportCaseRequest r, Actor actor, string? idempotencyKey, CancellationToken ct) =>
        intake.ReportAsync(r, actor, idempotencyKey, ct);

    /// <summary>批量上报: one outcome a report, in the order given.</summary>
    public Task<IReadOnlyList<CaseOutcome>> ReportManyAsync(IReadOnlyList<(ReportCaseRequest Report, string? IdempotencyKey)> reports, Actor actor, CancellationToken ct) =>
        intake.ReportManyAsync(reports, actor, ct);

    /// <summary>403 when <paramref name="actor"/> may not report here; null when they may.</summary>
    public CaseOutcome? ReportRefusal(Actor actor) => access.ReportRefusal(actor);

    /// <summary>A life-cycle step a person takes (the system-only transfer results are refused).</summary>
    public Task<CaseOutcome> ActAsync(Guid id, CaseAction action, CaseActionRequest body, Actor actor, CancellationToken ct) =>
        steps.ActAsync(id, action, body, actor, ct);

    public Task<(CaseOutcome Outcome, SummonsView? Summons)> SummonAsync(Guid id, CaseActionRequest b, Actor actor, CancellationToken ct) =>
        summons.SummonAsync(id, b, actor, ct);

    public Task<(CaseOutcome Outcome, SummonsView? Summons)> ReportForDutyAsync(Guid id, CaseActionRequest b, Actor actor, CancellationToken ct) =>
        summons.ReportForDutyAsync(id, b, actor, ct);

    public Task<CaseOutcome> GetAsync(Guid id, Actor actor, CancellationToken ct) => reads.GetAsync(id, actor, ct);

    public Task<(CaseOutcome Outcome, ReporterIdentity? Reporter)> GetReporterAsync(Guid id, Actor actor, CancellationToken ct) =>
        reads.GetReporterAsync(id, actor, ct);

    /// <inheritdoc cref="CaseAccess.IsComprehensiveFinder"/>
    public bool IsComprehensiveFinder(Actor actor) => access.IsComprehensiveFinder(actor);

    public Task OpenFromTransferAsync(CaseTransferRequested m, CaseworkTransaction tx, CancellationToken ct) => transfers.OpenFromTransferAsync(m, tx, ct);

    public Task RecordTransferAcceptedAsync(CaseTransferAccepted m, CaseworkTransaction tx, CancellationToken ct) => transfers.RecordTransferAcceptedAsync(m, tx, ct);

    public Task RecordTransferResultAsync(CaseTransferResult m, CaseworkTransaction tx, CancellationToken ct) => transfers.RecordTransferResultAsync(m, tx, ct);

    /// <summary>Writes what single reports left queued, then stops taking them.</summary>
    public ValueTask DisposeAsync() => intake.DisposeAsync();
}
