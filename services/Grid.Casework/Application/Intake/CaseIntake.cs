using System.Diagnostics;
using Grid.Casework.Infrastructure;
using Grid.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Casework.Application;

/// <summary>
/// 上报 / 批量上报: reports placed (<see cref="ReportPlacement"/>) and opened (<see cref="CaseOpener"/>). Single reports
/// that arrive together share a transaction (合并提交, <see cref="IGroupCommit{TItem}"/>); a batch is opened in one.
/// Either falls back to one transaction a report when the shared one fails, so one bad report never fails or
/// half-writes the others.
/// </summary>
public sealed class CaseIntake(
    CaseworkDatabase db,
    CaseworkOptions options,
    ReportPlacement placement,
    CaseOpener opener,
    ILogger<CaseIntake> logger) : IAsyncDisposable
{
    private GroupCommitter<Opening>? _groups;

    /// <summary>Concurrent single reports, written in groups; made on first use.</summary>
    private IGroupCommit<Opening> Groups =>
        LazyInitializer.EnsureInitialized(ref _groups, () => new GroupCommitter<Opening>(g => OpenTogetherAsync(g, CancellationToken.None), options.IntakeWriters, options.MaxBatchReports, "report intake"));

    public async Task<CaseOutcome> ReportAsync(ReportCaseRequest r, Actor actor, string? idempotencyKey, CancellationToken ct)
    {
        var (refused, placed) = await placement.PlaceAsync(r, actor, idempotencyKey, "Idempotency-Key", ct);
        if (placed is null)
        {
            return refused!;
        }

        // The request's span names the case it opens, so that a report's trace is found by its case id.
        if (Activity.Current is { IsAllDataRequested: true } span)
        {
            span.SetTag(MessagingTrace.CaseIdTag, placed.Case.Id.ToString());
        }

        if (!options.GroupCommit)
        {
            return await OpenAloneAsync(placed, actor, ct);
        }

        // Hooks and logs of the report run in its request's context (its correlation id, a domain's CaseStep data).
        var opening = new Opening(placed, actor, ExecutionContext.Capture());
        await Groups.SubmitAsync(opening, ct);
        return opening.Outcome!;
    }

    /// <summary>
    /// 批量上报: several reports of one caller in one go — a worker's device back in reach sending what it kept
    /// offline, or a department system's export. Each report is checked and placed on its own and gets its own
    /// outcome, in the order given; the accepted ones are opened together.
    /// </summary>
    public async Task<IReadOnlyList<CaseOutcome>> ReportManyAsync(IReadOnlyList<(ReportCaseRequest Report, string? IdempotencyKey)> reports, Actor actor, CancellationToken ct)
    {
        var outcomes = new CaseOutcome[reports.Count];
        var placed = new List<(int Index, Opening Opening)>();
        for (var i = 0; i < reports.Count; i++)
        {
            var (refused, ok) = await placement.PlaceAsync(reports[i].Report, actor, reports[i].IdempotencyKey, "idempotencyKey", ct);
            if (ok is null)
            {
                outcomes[i] = refused!;
            }
            else
            {
                placed.Add((i, new Opening(ok, actor, null)));
            }
        }

        if (placed.Count > 0)
        {
            await OpenTogetherAsync(placed.ConvertAll(p => p.Opening), ct);
        }

        foreach (var (i, o) in placed)
        {
            // A report's own fault (a hook that threw, a database gone) is its outcome, not the batch's.
            outcomes[i] = o.Outcome ?? (UnavailableExceptionHandler.DependencyOf(o.Error!) is { } dependency
                ? new CaseOutcome(503, Title: "Service temporarily unavailable", Detail: $"The {dependency} did not answer; send this report again (with its Idempotency-Key).")
                : new CaseOutcome(500, Title: "Not stored", Detail: "This report could not be stored; the others were. The fault is logged."));
        }

        return outcomes;
    }

    /// <summary>Writes what single reports left queued, then stops taking them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_groups is not null)
        {
            await _groups.DisposeAsync();
        }
    }

    /// <summary>
    /// Opens placed reports in one transaction: one commit, and the idempotency keys, case rows, outbox rows and audit
    /// rows each in one statement. Each opening gets its <see cref="Opening.Outcome"/> or its own
    /// <see cref="GroupItem.Error"/>. If the transaction fails before its COMMIT went out — a repeated Idempotency-Key, a
    /// domain rule refusing one report in its hook — it is rolled back and every report is taken again on its own. A
    /// failure once the COMMIT was sent is thrown: whether it took is unknown, and the callers retry with their keys.
    /// </summary>
    private async Task OpenTogetherAsync(IReadOnlyList<Opening> openings, CancellationToken ct)
    {
        CaseworkTransaction? tx = null;
        try
        {
            tx = await db.BeginAsync(ct);
            var keyed = openings.Where(o => o.Report.IdempotencyKey is not null)
                .Select(o => (o.Actor.Subject, o.Report.IdempotencyKey!, o.Report.Case.Id, o.Report.RequestHash)).ToList();

            // A key sent before (or twice here): the one-by-one path answers it with the earlier case.
            if (keyed.Count > 0 && !await IdempotencyKeys.ClaimAllAsync(tx, keyed, ct))
            {
                throw new TakeOneByOne();
            }

            // As CaseOpener.OpenAsync does for one, with the case rows in one statement.
            foreach (var o in openings)
            {
                await opener.NumberAsync(o.Report.Case, o.Report.Case.ReceivedAt, ct);
            }

            await CaseRepository.InsertManyAsync(tx, openings.Select(o => o.Report.Case).ToList(), ct);
            foreach (var o in openings)
            {
                var p = o.Report;
                await InContext(o.Context, () => opener.AnnounceAsync(tx, p.Case, p.Chain, o.Actor, p.Request.Reporter, p.Case.ReceivedAt, ct));
            }

            await tx.CommitAsync(ct);
            foreach (var o in openings)
            {
                o.Outcome = CaseOutcome.Ok(o.Report.Case, 201);
            }
        }
        catch (Exception e) when (tx is { CommitSent: false } && (e is not OperationCanceledException || !ct.IsCancellationRequested))
        {
            // Rolled back as a whole; each report again in a transaction of its own, with a new number.
            await tx.DisposeAsync();
            tx = null;
            if (e is not TakeOneByOne)
            {
                logger.LogWarning("{Count} reports opened together failed as a whole ({Error}: {Message}); taking them one by one", openings.Count, e.GetType().Name, e.Message);
            }

            foreach (var o in openings)
            {
                try
                {
                    o.Outcome = await InContext(o.Context, () => OpenAloneAsync(o.Report, o.Actor, ct));
                }
                catch (Exception one) when (one is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogError(one, "A report was not stored");
                    o.Error = one;
                }
            }
        }
        finally
        {
            if (tx is not null)
            {
                await tx.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One placed report in a transaction of its own. A repeated Idempotency-Key with the same report answers with the
    /// earlier case; with another report it is refused (422, as the IETF Idempotency-Key draft says) and nothing is written.
    /// </summary>
    private async Task<CaseOutcome> OpenAloneAsync(PlacedReport placed, Actor actor, CancellationToken ct)
    {
        var c = placed.Case;
        await using var tx = await db.BeginAsync(ct);
        if (placed.IdempotencyKey is { } key && !await IdempotencyKeys.ClaimAsync(tx, actor.Subject, key, c.Id, placed.RequestHash, ct))
        {
            var (existing, firstHash) = await IdempotencyKeys.FindAsync(tx, actor.Subject, key, ct);

            // Keys stored before hashes were kept answer as before.
            if (firstHash is not null && !firstHash.AsSpan().SequenceEqual(placed.RequestHash))
            {
                return CaseOutcome.KeyReused(placed.KeyField);
            }

            var earlier = await CaseRepository.GetAsync(tx, existing, false, ct);
            return earlier is null ? CaseOutcome.NotFound() : CaseOutcome.Ok(earlier, 200);
        }

        await opener.OpenAsync(tx, c, placed.Chain, actor, placed.Request.Reporter, c.ReceivedAt, ct);
        await tx.CommitAsync(ct);
        return CaseOutcome.Ok(c, 201);
    }

    /// <summary>Starts <paramref name="action"/> in a request's captured context (null: the current one).</summary>
    private static Task<T> InContext<T>(ExecutionContext? context, Func<Task<T>> action)
    {
        if (context is null)
        {
            return action();
        }

        Task<T>? started = null;
        ExecutionContext.Run(context, _ => started = action(), null);
        return started!;
    }

    private static Task InContext(ExecutionContext? context, Func<Task> action) =>
        InContext(context, async () =>
        {
            await action();
            return true;
        });

    /// <summary>Thrown inside a shared transaction to roll it back and take its reports one by one.</summary>
    private sealed class TakeOneByOne : Exception;

    /// <summary>A placed report on its way into a transaction shared with others, and what became of it.</summary>
    private sealed class Opening(PlacedReport report, Actor actor, ExecutionContext? context) : GroupItem
    {
        public PlacedReport Report { get; } = report;

        public Actor Actor { get; } = actor;

        public ExecutionContext? Context { get; } = context;

        public CaseOutcome? Outcome { get; set; }
    }
}
