using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Apis;

/// <summary>
/// The case life cycle with its effects: each operation loads the case under a row lock, applies the pure
/// rules of <see cref="CaseLifecycle"/>, writes the case, its events (outbox) and its audit entries in one
/// transaction. Used by the HTTP API, the deadline scheduler and the transfer consumers alike.
/// </summary>
public sealed class CaseService(
    CaseworkDatabase db,
    CaseworkOptions options,
    CaseRoles roles,
    DeadlinePolicy deadlines,
    IGridDirectory grids,
    IDepartmentDirectory departments,
    ReporterVault vault,
    ICaseworkHooks hooks,
    CaseNumberBlocks numbers,
    TimeProvider time,
    ILogger<CaseService> logger) : IAsyncDisposable
{
    public const int MaxTitle = 200;
    public const int MaxShort = 64;
    public const int MaxIdempotencyKey = 200;

    private static readonly string[] ReportSources = ["patrol", "inspection", "complaint", "report", "hotline", "sensor", "assignment"];

    public CaseworkOptions Options => options;

    /// <summary>The clock, at PostgreSQL's precision (microseconds), so what a response shows is what is stored.</summary>
    internal DateTimeOffset Now() => AuditChain.Truncate(time.GetUtcNow());

    public CaseRoles Roles => roles;

    // ---------------------------------------------------------------- report

    public async Task<CaseOutcome> ReportAsync(ReportCaseRequest r, Actor actor, string? idempotencyKey, CancellationToken ct)
    {
        var (refused, placed) = await PlaceAsync(r, actor, idempotencyKey, "Idempotency-Key", ct);
        if (placed is null)
        {
            return refused!;
        }

        if (!options.GroupCommit)
        {
            return await OpenAloneAsync(placed, actor, ct);
        }

        // Hooks and logs of the report run in its request's context (its correlation id, a domain's ambient state).
        var opening = new Opening(placed, actor, ExecutionContext.Capture());
        await Groups.SubmitAsync(opening, ct);
        return opening.Outcome!;
    }

    /// <summary>
    /// 批量上报: several reports of one caller in one go — a worker's device back in reach sending what it kept
    /// offline, or a department system's export. Each report is checked and placed on its own and gets its own
    /// outcome, in the order given; the accepted ones are opened together (<see cref="OpenTogetherAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<CaseOutcome>> ReportManyAsync(IReadOnlyList<(ReportCaseRequest Report, string? IdempotencyKey)> reports, Actor actor, CancellationToken ct)
    {
        var outcomes = new CaseOutcome[reports.Count];
        var placed = new List<(int Index, Opening Opening)>();
        for (var i = 0; i < reports.Count; i++)
        {
            var (refused, ok) = await PlaceAsync(reports[i].Report, actor, reports[i].IdempotencyKey, "idempotencyKey", ct);
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

    /// <summary>Concurrent single reports, written in groups (合并提交); made on first use.</summary>
    private GroupCommitter<Opening> Groups =>
        LazyInitializer.EnsureInitialized(ref _groups, () => new GroupCommitter<Opening>(g => OpenTogetherAsync(g, CancellationToken.None), options.IntakeWriters, options.MaxBatchReports));

    private GroupCommitter<Opening>? _groups;

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
    /// <see cref="Opening.Error"/>. If the transaction fails before its COMMIT went out — a repeated Idempotency-Key, a
    /// domain rule refusing one report in its hook — it is rolled back and every report is taken again on its own, so
    /// one bad report never fails or half-writes the others. A failure once the COMMIT was sent is thrown: whether it
    /// took is unknown, and the callers retry with their keys.
    /// </summary>
    private async Task OpenTogetherAsync(IReadOnlyList<Opening> openings, CancellationToken ct)
    {
        CaseworkTransaction? tx = null;
        try
        {
            tx = await db.BeginAsync(ct);
            var keyed = openings.Where(o => o.Report.IdempotencyKey is not null).ToList();
            if (keyed.Count > 0)
            {
                await using var idem = tx.Command("""
                    INSERT INTO casework.idempotency_keys (subject, key, case_id, request_hash) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::bytea[])
                    ON CONFLICT DO NOTHING
                    """);
                idem.Parameters.Add(new NpgsqlParameter { Value = keyed.Select(o => o.Actor.Subject).ToArray() });
                idem.Parameters.Add(new NpgsqlParameter { Value = keyed.Select(o => o.Report.IdempotencyKey!).ToArray() });
                idem.Parameters.Add(new NpgsqlParameter { Value = keyed.Select(o => o.Report.Case.Id).ToArray() });
                idem.Parameters.Add(new NpgsqlParameter { Value = keyed.Select(o => o.Report.RequestHash).ToArray() });
                if (await idem.ExecuteNonQueryAsync(ct) != keyed.Count)
                {
                    // A key sent before (or twice here): the one-by-one path answers it with the earlier case.
                    throw new TakeOneByOne();
                }
            }

            // As OpenAsync does for one, with the case rows in one statement.
            foreach (var o in openings)
            {
                await NumberAsync(o.Report.Case, o.Report.Case.ReceivedAt, ct);
            }

            await CaseRepository.InsertManyAsync(tx, openings.Select(o => o.Report.Case).ToList(), ct);
            foreach (var o in openings)
            {
                var p = o.Report;
                await InContext(o.Context, () => AnnounceAsync(tx, p.Case, p.Chain, o.Actor, p.Request.Reporter, p.Case.ReceivedAt, ct));
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
        var idempotencyKey = placed.IdempotencyKey;
        await using var tx = await db.BeginAsync(ct);
        if (idempotencyKey is not null)
        {
            await using var idem = tx.Command("INSERT INTO casework.idempotency_keys (subject, key, case_id, request_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
            idem.Parameters.Add(new NpgsqlParameter { Value = actor.Subject });
            idem.Parameters.Add(new NpgsqlParameter { Value = idempotencyKey });
            idem.Parameters.Add(new NpgsqlParameter { Value = c.Id });
            idem.Parameters.Add(new NpgsqlParameter { Value = placed.RequestHash });
            if (await idem.ExecuteNonQueryAsync(ct) == 0)
            {
                await using var find = tx.Command("SELECT case_id, request_hash FROM casework.idempotency_keys WHERE subject = $1 AND key = $2");
                find.Parameters.Add(new NpgsqlParameter { Value = actor.Subject });
                find.Parameters.Add(new NpgsqlParameter { Value = idempotencyKey });
                Guid existing;
                byte[]? firstHash;
                await using (var row = await find.ExecuteReaderAsync(ct))
                {
                    await row.ReadAsync(ct);
                    existing = row.GetGuid(0);
                    firstHash = row.IsDBNull(1) ? null : (byte[])row[1];
                }

                // Keys stored before hashes were kept answer as before.
                if (firstHash is not null && !firstHash.AsSpan().SequenceEqual(placed.RequestHash))
                {
                    return CaseOutcome.KeyReused(placed.KeyField);
                }

                var earlier = await CaseRepository.GetAsync(tx, existing, false, ct);
                return earlier is null ? CaseOutcome.NotFound() : CaseOutcome.Ok(earlier, 200);
            }
        }

        await OpenAsync(tx, c, placed.Chain, actor, placed.Request.Reporter, c.ReceivedAt, ct);
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

    /// <summary>403 when <paramref name="actor"/> may not report here; null when they may.</summary>
    public CaseOutcome? ReportRefusal(Actor actor) =>
        actor.May(roles.Holders(CaseRoles.Report), options.Domain) || IsComprehensiveFinder(actor)
            ? null
            : CaseOutcome.Forbidden($"Reporting needs one of the roles: {string.Join(", ", roles.For(CaseRoles.Report))}.");

    /// <summary>Thrown inside a batch's transaction to roll it back and take its reports one by one.</summary>
    private sealed class TakeOneByOne : Exception;

    /// <summary>A report that passed every check, placed in its grid, not yet stored.</summary>
    private sealed record PlacedReport(ReportCaseRequest Request, string? IdempotencyKey, string KeyField, Case Case, IReadOnlyList<GridLevel> Chain)
    {
        private byte[]? _hash;

        /// <summary>SHA-256 of the report as parsed (so spacing and member order do not count), stored with its key; made only for keyed reports.</summary>
        public byte[] RequestHash => _hash ??= System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Request));
    }

    /// <summary>A placed report on its way into a transaction shared with others, and what became of it.</summary>
    private sealed class Opening(PlacedReport report, Actor actor, ExecutionContext? context) : GroupItem
    {
        public PlacedReport Report { get; } = report;

        public Actor Actor { get; } = actor;

        public ExecutionContext? Context { get; } = context;

        public CaseOutcome? Outcome { get; set; }
    }

    /// <summary>The checks of a report and where it happened, before any transaction: a refusal, or the case to open.</summary>
    private async Task<(CaseOutcome? Refused, PlacedReport? Placed)> PlaceAsync(ReportCaseRequest r, Actor actor, string? idempotencyKey, string keyField, CancellationToken ct)
    {
        if (ReportRefusal(actor) is { } forbidden)
        {
            return (forbidden, null);
        }

        var finder = IsComprehensiveFinder(actor);
        var now = Now();
        var errors = new Dictionary<string, string[]>();
        void Err(string f, string why) => errors[f] = [why];
        var category = r.Category?.Trim() ?? "";
        var severity = r.Severity?.Trim().ToLowerInvariant() ?? "";
        var title = r.Title?.Trim() ?? "";
        var source = (r.Source?.Trim().ToLowerInvariant()) is { Length: > 0 } s ? s : "patrol";
        if (category.Length == 0) Err("category", "is required");
        else if (category.Length > MaxShort) Err("category", $"must be at most {MaxShort} characters");
        if (!options.Severities.Contains(severity, StringComparer.OrdinalIgnoreCase)) Err("severity", $"must be one of: {string.Join(", ", options.Severities)}");
        if (title.Length == 0) Err("title", "is required");
        else if (title.Length > MaxTitle) Err("title", $"must be at most {MaxTitle} characters");
        if ((r.Description?.Length ?? 0) > options.MaxTextLength) Err("description", $"must be at most {options.MaxTextLength} characters");
        if (!ReportSources.Contains(source)) Err("source", $"must be one of: {string.Join(", ", ReportSources)}");
        if (r.Longitude is { } lon && (double.IsNaN(lon) || lon < -180 || lon > 180)) Err("longitude", "must be between -180 and 180");
        if (r.Latitude is { } lat && (double.IsNaN(lat) || lat < -90 || lat > 90)) Err("latitude", "must be between -90 and 90");
        if (r.Longitude.HasValue != r.Latitude.HasValue) Err(r.Longitude.HasValue ? "latitude" : "longitude", "longitude and latitude come together");
        if (r.GridId is { Length: > MaxShort * 2 }) Err("gridId", "is too long");
        if (finder)
        {
            // The finder knows where they stand, not this department's grid tree.
            if (!string.IsNullOrWhiteSpace(r.GridId)) Err("gridId", "a comprehensive-grid finder places the report by longitude and latitude; this department's grid is found from them");
            else if (r.Longitude is null && r.Latitude is null) Err("longitude", "is required from a comprehensive-grid finder (with latitude)");
        }
        else if (string.IsNullOrWhiteSpace(r.GridId) && r.Longitude is null) Err("gridId", "is required unless longitude and latitude are given");
        var occurred = r.OccurredAt is { } device ? AuditChain.Truncate(device) : now;
        if (OfflineReportPolicy.Check(occurred, now, options.OfflineReportWindow) is { } bad) Err("occurredAt", bad);
        if (r.Reporter is { } rep)
        {
            if (string.IsNullOrWhiteSpace(rep.Name)) Err("reporter.name", "is required when a reporter is given");
            else if (rep.Name.Length > MaxTitle) Err("reporter.name", $"must be at most {MaxTitle} characters");
            if ((rep.Phone?.Length ?? 0) > MaxShort) Err("reporter.phone", $"must be at most {MaxShort} characters");
            if ((rep.IdNumber?.Length ?? 0) > MaxShort) Err("reporter.idNumber", $"must be at most {MaxShort} characters");
            if (!vault.Configured) Err("reporter", "this service has no reporter key configured (Casework:ReporterKey) and cannot store reporter identities");
        }

        if (idempotencyKey is { Length: > MaxIdempotencyKey } or { Length: 0 }) Err(keyField, $"must be 1 to {MaxIdempotencyKey} characters");
        foreach (var (k, v) in hooks.ValidateReport(r) ?? [])
        {
            errors[k] = v;
        }

        if (errors.Count > 0)
        {
            return (CaseOutcome.Invalid(errors), null);
        }

        if (finder && await FinderPlaceAsync(r.Longitude!.Value, r.Latitude!.Value, actor, ct) is { } refused)
        {
            return (refused, null);
        }

        // Where it happened.
        var gridId = r.GridId?.Trim();
        if (string.IsNullOrEmpty(gridId))
        {
            gridId = await grids.ResolveAsync(options.Domain, r.Longitude!.Value, r.Latitude!.Value, ct);
            if (gridId is null)
            {
                return (CaseOutcome.Invalid("longitude", "no grid of this domain contains the point"), null);
            }
        }

        var chain = await grids.GetChainAsync(gridId, ct);
        if (chain is null)
        {
            return (CaseOutcome.Invalid("gridId", $"unknown grid '{gridId}'"), null);
        }

        var path = chain.Select(l => l.GridId).Reverse().ToArray();
        if (!finder && !actor.May(roles.Holders(CaseRoles.Report), options.Domain, path))
        {
            return (CaseOutcome.Forbidden("None of your posts may report on this grid."), null);
        }

        var c = new Case
        {
            Id = Guid.CreateVersion7(now),
            Domain = options.Domain,
            Category = category,
            Severity = severity,
            Title = title,
            Description = r.Description?.Trim() ?? "",
            Source = source,
            GridId = gridId,
            GridPath = path,
            HolderGridId = gridId,
            Longitude = r.Longitude,
            Latitude = r.Latitude,
            State = CaseState.Reported,
            OccurredAt = occurred,
            ReceivedAt = now,
            UpdatedAt = now,
            EnteredBy = actor.Subject,
        };

        return (null, new PlacedReport(r, idempotencyKey, keyField, c, chain));
    }

    /// <summary>Numbers, stores and announces a new case (and takes a major one to the top at once).</summary>
    private async Task OpenAsync(CaseworkTransaction tx, Case c, IReadOnlyList<GridLevel> chain, Actor actor, ReporterIdentity? reporter, DateTimeOffset now, CancellationToken ct)
    {
        await NumberAsync(c, now, ct);
        await CaseRepository.InsertAsync(tx, c, ct);
        await AnnounceAsync(tx, c, chain, actor, reporter, now, ct);
    }

    /// <summary>A new case's number and its first step (accept) with that step's deadline.</summary>
    private async Task NumberAsync(Case c, DateTimeOffset now, CancellationToken ct)
    {
        c.Step = CaseSteps.Accept;
        c.StepDeadline = now + deadlines.For(c.Category, c.Severity).AcceptWithin;
        var seq = await numbers.NextAsync(options.Prefix, CaseNumber.LocalDay(now), ct);
        c.Number = CaseNumber.Format(options.Prefix, CaseNumber.LocalDay(now), seq);
    }

    /// <summary>What follows a stored new case: its reporter sealed, its event, its audit entry, the domain's hooks, and a major one to the top.</summary>
    private async Task AnnounceAsync(CaseworkTransaction tx, Case c, IReadOnlyList<GridLevel> chain, Actor actor, ReporterIdentity? reporter, DateTimeOffset now, CancellationToken ct)
    {
        if (reporter is not null)
        {
            CaseRepository.SaveReporter(tx, c.Id, vault.Seal(c.Id, reporter));
        }

        tx.Publish(Stamp(new CaseReported
        {
            Category = c.Category,
            Severity = c.Severity,
            Title = c.Title,
            Source = c.Source,
            Longitude = c.Longitude,
            Latitude = c.Latitude,
            ReceivedAt = c.ReceivedAt,
        }, c, c.OccurredAt));
        tx.Audit(c.Id, actor.Subject, "report", actor.Origin, null, CaseView.From(c));
        await hooks.OnChangedAsync(new CaseChange(null, c, "report", actor), tx, ct);

        // 重大: straight to the top of the chain.
        if (string.Equals(c.Severity, options.MajorSeverity, StringComparison.OrdinalIgnoreCase) && chain.Count > 1)
        {
            await EscalateAsync(tx, c, chain, chain.Count - 1, EscalationReasons.Major, actor, now, ct);
        }
    }

    // ---------------------------------------------------------------- life-cycle steps

    public async Task<CaseOutcome> ActAsync(Guid id, CaseAction action, CaseActionRequest body, Actor actor, CancellationToken ct)
    {
        if (!actor.May(roles.Holders(CaseNames.Of(action)), options.Domain))
        {
            return CaseOutcome.Forbidden($"'{CaseNames.Of(action)}' needs one of the roles: {string.Join(", ", roles.For(action))}.");
        }

        var now = Now();
        if (Validate(action, body, now) is { } invalid)
        {
            return invalid;
        }

        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, forUpdate: true, ct);
        if (c is null || c.Domain != options.Domain)
        {
            return CaseOutcome.NotFound();
        }

        if (!actor.May(roles.Holders(CaseNames.Of(action)), options.Domain, c.GridPath))
        {
            return CaseOutcome.Forbidden($"None of your posts may '{CaseNames.Of(action)}' on this case's grid.");
        }

        var before = c.Clone();
        var step = CaseLifecycle.Apply(c.State, action);
        if (!step.Legal)
        {
            return CaseOutcome.Conflict(step.Reason!, new { currentState = CaseNames.Of(c.State), action = CaseNames.Of(action) });
        }

        var limits = deadlines.For(c.Category, c.Severity);
        switch (action)
        {
            case CaseAction.Accept:
                c.Step = CaseSteps.Handle;
                c.StepDeadline = now + limits.HandleWithin;
                tx.Publish(Stamp(new CaseAccepted { AcceptedBy = actor.Subject, HandleBy = c.StepDeadline }, c, now));
                break;
            case CaseAction.Reject:
                c.Step = null;
                c.StepDeadline = null;
                c.Result = body.Reason;
                tx.Publish(Stamp(new CaseRejected { Reason = body.Reason! }, c, now));
                if (c.OriginTransferId is { } refused)
                {
                    tx.Publish(Stamp(new CaseTransferResult
                    {
                        TransferId = refused,
                        OriginCaseId = c.OriginCaseId!.Value,
                        OriginDomain = c.OriginDomain!,
                        Outcome = "rejected",
                        Result = body.Reason!,
                    }, c, now));
                }

                break;
            case CaseAction.Dispatch:
                c.Assignee = body.Assignee!.Trim();
                c.Department = body.Department?.Trim();
                c.Step = CaseSteps.Handle;
                c.StepDeadline = body.HandleBy ?? (before.Step == CaseSteps.Handle && before.StepDeadline is { } d ? d : now + limits.HandleWithin);
                tx.Publish(Stamp(new CaseDispatched { Assignee = c.Assignee, Department = c.Department, HandleBy = c.StepDeadline }, c, now));
                break;
            case CaseAction.Start:
                break;
            case CaseAction.Handle:
                c.Result = body.Result!.Trim();
                c.Step = CaseSteps.Verify;
                c.StepDeadline = now + limits.VerifyWithin;
                tx.Publish(Stamp(new CaseHandled { HandledBy = actor.Subject, Result = c.Result }, c, now));
                break;
            case CaseAction.VerifyPass:
                c.Step = null;
                c.StepDeadline = null;
                tx.Publish(Stamp(new CaseVerified { VerifiedBy = actor.Subject }, c, now));
                break;
            case CaseAction.VerifyFail:
                c.ReopenCount++;
                c.Step = CaseSteps.Handle;
                c.StepDeadline = now + limits.HandleWithin;
                tx.Publish(Stamp(new CaseReopened { Reason = body.Reason!, ReopenCount = c.ReopenCount }, c, now));
                break;
            case CaseAction.Close:
                c.Step = null;
                c.StepDeadline = null;
                tx.Publish(Stamp(new CaseClosed { ClosedBy = actor.Subject, OnTime = !c.Breached, ReportedAt = c.OccurredAt }, c, now));
                if (c.OriginTransferId is { } done)
                {
                    tx.Publish(Stamp(new CaseTransferResult
                    {
                        TransferId = done,
                        OriginCaseId = c.OriginCaseId!.Value,
                        OriginDomain = c.OriginDomain!,
                        Outcome = "resolved",
                        Result = c.Result ?? "",
                    }, c, now));
                }

                break;
            case CaseAction.Escalate:
                var chain = await grids.GetChainAsync(c.HolderGridId, ct);
                if (chain is null || chain.Count < 2)
                {
                    return CaseOutcome.Conflict($"Case {c.Number} is already held by the top of its chain; it cannot go higher.",
                        new { currentState = CaseNames.Of(c.State), action = CaseNames.Of(action) });
                }

                await EscalateAsync(tx, c, chain, body.ToTop == true ? chain.Count - 1 : 1, EscalationReasons.CannotHandle, actor, now, ct);
                await tx.CommitAsync(ct);
                return CaseOutcome.Ok(c);
            case CaseAction.Transfer:
                c.TransferId = Guid.NewGuid();
                c.TransferDomain = body.TargetDomain!.Trim().ToLowerInvariant();
                c.TransferCaseId = null;
                c.TransferCaseNumber = null;
                c.Step = CaseSteps.Transfer;
                c.StepDeadline = body.ResultDueBy ?? now + limits.HandleWithin;
                tx.Publish(Stamp(new CaseTransferRequested
                {
                    TransferId = c.TransferId.Value,
                    TargetDomain = c.TransferDomain,
                    Category = c.Category,
                    Severity = c.Severity,
                    Title = c.Title,
                    Description = string.IsNullOrWhiteSpace(body.Reason) ? c.Description : $"{c.Description}\n{body.Reason}".Trim(),
                    Longitude = c.Longitude,
                    Latitude = c.Latitude,
                    ResultDueBy = c.StepDeadline,
                }, c, now));
                break;
            default:
                return CaseOutcome.Forbidden($"'{CaseNames.Of(action)}' is taken by the system only.");
        }

        c.State = step.To;
        c.UpdatedAt = now;
        await CaseRepository.UpdateAsync(tx, c, ct);
        tx.Audit(c.Id, actor.Subject, CaseNames.Of(action), actor.Origin, CaseView.From(before), CaseView.From(c));
        await hooks.OnChangedAsync(new CaseChange(before, c, CaseNames.Of(action), actor), tx, ct);
        if (c.State == CaseState.Closed)
        {
            await hooks.OnClosedAsync(c, tx, ct);
        }

        await tx.CommitAsync(ct);
        return CaseOutcome.Ok(c);
    }

    private CaseOutcome? Validate(CaseAction action, CaseActionRequest b, DateTimeOffset now)
    {
        static bool Missing(string? s) => string.IsNullOrWhiteSpace(s);
        var errors = new Dictionary<string, string[]>();
        var max = options.MaxTextLength;
        switch (action)
        {
            case CaseAction.Reject or CaseAction.VerifyFail when Missing(b.Reason):
                errors["reason"] = ["is required"];
                break;
            case CaseAction.Dispatch:
                if (Missing(b.Assignee)) errors["assignee"] = ["is required"];
                else if (b.Assignee!.Length > MaxTitle) errors["assignee"] = [$"must be at most {MaxTitle} characters"];
                if ((b.Department?.Length ?? 0) > MaxTitle) errors["department"] = [$"must be at most {MaxTitle} characters"];
                if (b.HandleBy is { } hb && hb <= now) errors["handleBy"] = ["must be in the future"];
                break;
            case CaseAction.Handle when Missing(b.Result):
                errors["result"] = ["is required"];
                break;
            case CaseAction.Transfer:
                if (Missing(b.TargetDomain)) errors["targetDomain"] = ["is required"];
                // Only a department with a case desk can take a transfer; anything else would wait in the outbox for ever.
                else if (!CaseworkTopology.CaseDomains.Contains(b.TargetDomain!.Trim().ToLowerInvariant()) || string.Equals(b.TargetDomain.Trim(), options.Domain, StringComparison.OrdinalIgnoreCase))
                {
                    var takers = CaseworkTopology.CaseDomains.Where(d => d != options.Domain);
                    errors["targetDomain"] = [$"'{b.TargetDomain.Trim()}' takes no transfers from {options.Domain}; the domains that can take one: {string.Join(", ", takers)}"];
                }

                if (b.ResultDueBy is { } due && due <= now) errors["resultDueBy"] = ["must be in the future"];
                break;
        }

        if ((b.Reason?.Length ?? 0) > max) errors["reason"] = [$"must be at most {max} characters"];
        if ((b.Result?.Length ?? 0) > max) errors["result"] = [$"must be at most {max} characters"];
        return errors.Count > 0 ? CaseOutcome.Invalid(errors) : null;
    }

    /// <summary>Moves ownership to the chain level <paramref name="toLevel"/> (1 = parent). The state becomes Escalated where the life cycle allows; otherwise (e.g. awaiting verification) only the holder changes.</summary>
    internal async Task EscalateAsync(CaseworkTransaction tx, Case c, IReadOnlyList<GridLevel> chain, int toLevel, string reason, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var before = c.Clone();
        var from = c.HolderGridId;
        var target = chain[Math.Min(toLevel, chain.Count - 1)];
        var limits = deadlines.For(c.Category, c.Severity);
        c.HolderGridId = target.GridId;
        if (CaseLifecycle.TryNext(c.State, CaseAction.Escalate, out var next))
        {
            c.State = next;
            c.Step = CaseSteps.Accept;
            c.StepDeadline = now + limits.AcceptWithin;
        }
        else if (c.Step is { } step)
        {
            // The new holder gets the step's full allowance again.
            c.StepDeadline = now + (step switch
            {
                CaseSteps.Verify => limits.VerifyWithin,
                CaseSteps.Handle => limits.HandleWithin,
                _ => limits.AcceptWithin,
            });
        }

        c.UpdatedAt = now;
        if (c.Seq != 0 && before.Version == c.Version)
        {
            await CaseRepository.UpdateAsync(tx, c, ct);
        }

        tx.Publish(Stamp(new CaseEscalated { FromGridId = from, ToGridId = target.GridId, Reason = reason }, c, now));
        tx.Audit(c.Id, actor.Subject, $"escalate:{reason}", actor.Origin, CaseView.From(before), CaseView.From(c));
        await hooks.OnChangedAsync(new CaseChange(before, c, "escalate", actor), tx, ct);
    }

    // ---------------------------------------------------------------- transfers (移交)

    /// <summary>The target side: opens this domain's own case for another domain's transfer and answers it.</summary>
    public async Task OpenFromTransferAsync(CaseTransferRequested m, CaseworkTransaction tx, CancellationToken ct)
    {
        var now = Now();
        string? gridId = null;
        if (m.Longitude is { } lon && m.Latitude is { } lat)
        {
            gridId = await grids.ResolveAsync(options.Domain, lon, lat, ct);
        }

        gridId ??= m.GridId;
        var chain = await grids.GetChainAsync(gridId, ct)
            ?? [new GridLevel(gridId, gridId, gridId, [])];
        var actor = Actor.System($"transfer:{m.Domain}");
        var c = new Case
        {
            Id = Guid.CreateVersion7(now),
            Domain = options.Domain,
            Category = m.Category.Length > MaxShort ? m.Category[..MaxShort] : m.Category,
            Severity = options.Severities.Contains(m.Severity, StringComparer.OrdinalIgnoreCase) ? m.Severity.ToLowerInvariant() : DeadlinePolicy.General,
            Title = m.Title.Length > MaxTitle ? m.Title[..MaxTitle] : m.Title,
            Description = $"{m.Description}\n[移交自 {m.Domain} {m.CaseNumber}]".Trim(),
            Source = "transfer",
            GridId = gridId,
            GridPath = chain.Select(l => l.GridId).Reverse().ToArray(),
            HolderGridId = gridId,
            Longitude = m.Longitude,
            Latitude = m.Latitude,
            State = CaseState.Reported,
            OccurredAt = now,
            ReceivedAt = now,
            UpdatedAt = now,
            EnteredBy = actor.Subject,
            OriginDomain = m.Domain,
            OriginCaseId = m.CaseId,
            OriginTransferId = m.TransferId,
        };
        await OpenAsync(tx, c, chain, actor, null, now, ct);
        tx.Publish(Stamp(new CaseTransferAccepted { TransferId = m.TransferId, OriginCaseId = m.CaseId, OriginDomain = m.Domain }, c, now));
    }

    /// <summary>The origin side: the target opened its case.</summary>
    public async Task RecordTransferAcceptedAsync(CaseTransferAccepted m, CaseworkTransaction tx, CancellationToken ct)
    {
        var c = await CaseRepository.GetByTransferAsync(tx, m.TransferId, origin: true, ct);
        if (c is null)
        {
            return;
        }

        var before = c.Clone();
        c.TransferCaseId = m.CaseId;
        c.TransferCaseNumber = m.CaseNumber;
        c.UpdatedAt = Now();
        await CaseRepository.UpdateAsync(tx, c, ct);
        tx.Audit(c.Id, "system", "transfer-accepted", $"transfer:{m.Domain}", CaseView.From(before), CaseView.From(c));
    }

    /// <summary>
    /// The origin side: the target's result came back. Resolved → the origin case is Handled (the result is
    /// its feedback, verified by the origin's chief as usual); rejected → back to Handling by the origin.
    /// </summary>
    public async Task RecordTransferResultAsync(CaseTransferResult m, CaseworkTransaction tx, CancellationToken ct)
    {
        var c = await CaseRepository.GetByTransferAsync(tx, m.TransferId, origin: true, ct);
        if (c is null)
        {
            return;
        }

        var now = Now();
        var action = m.Outcome == "resolved" ? CaseAction.TransferResolved : CaseAction.TransferRefused;
        var step = CaseLifecycle.Apply(c.State, action);
        if (!step.Legal)
        {
            // A stale result for a case that moved on: recorded in the audit trail, state untouched.
            tx.Audit(c.Id, "system", $"{CaseNames.Of(action)}-ignored", $"transfer:{m.Domain}", null, new { m.TransferId, m.Outcome, state = CaseNames.Of(c.State) });
            return;
        }

        var before = c.Clone();
        var limits = deadlines.For(c.Category, c.Severity);
        c.State = step.To;
        c.Result = $"[{m.Domain} {m.CaseNumber}] {m.Result}".Trim();
        c.TransferCaseId ??= m.CaseId;
        c.TransferCaseNumber ??= m.CaseNumber;
        c.UpdatedAt = now;
        if (action == CaseAction.TransferResolved)
        {
            c.Step = CaseSteps.Verify;
            c.StepDeadline = now + limits.VerifyWithin;
            tx.Publish(Stamp(new CaseHandled { HandledBy = $"{m.Domain}:{m.CaseNumber}", Result = c.Result }, c, now));
        }
        else
        {
            c.Step = CaseSteps.Handle;
            c.StepDeadline = now + limits.HandleWithin;
        }

        await CaseRepository.UpdateAsync(tx, c, ct);
        var actor = Actor.System($"transfer:{m.Domain}");
        tx.Audit(c.Id, actor.Subject, CaseNames.Of(action), actor.Origin, CaseView.From(before), CaseView.From(c));
        await hooks.OnChangedAsync(new CaseChange(before, c, CaseNames.Of(action), actor), tx, ct);
    }

    // ---------------------------------------------------------------- summons (吹哨 / 报到)

    public async Task<(CaseOutcome Outcome, SummonsView? Summons)> SummonAsync(Guid id, CaseActionRequest b, Actor actor, CancellationToken ct)
    {
        if (!actor.May(roles.Holders(CaseRoles.Summon), options.Domain))
        {
            return (CaseOutcome.Forbidden($"Summoning needs one of the roles: {string.Join(", ", roles.For(CaseRoles.Summon))}."), null);
        }

        var now = Now();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(b.DepartmentId)) errors["departmentId"] = ["is required"];
        else if (b.DepartmentId.Length > MaxShort * 2) errors["departmentId"] = ["is too long"];
        if (b.ReportBy is { } rb && rb <= now) errors["reportBy"] = ["must be in the future"];
        if ((b.Reason?.Length ?? 0) > options.MaxTextLength) errors["reason"] = [$"must be at most {options.MaxTextLength} characters"];
        if (errors.Count > 0)
        {
            return (CaseOutcome.Invalid(errors), null);
        }

        // Only a department the organization knows can be summoned: an unknown one would never report for duty.
        if (await departments.FindAsync(b.DepartmentId!.Trim(), ct) is not { } department)
        {
            return (CaseOutcome.Invalid("departmentId", $"no department '{b.DepartmentId.Trim()}' in the organization (give its id or its code, e.g. DEPT-ENV)"), null);
        }

        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, forUpdate: true, ct);
        if (c is null)
        {
            return (CaseOutcome.NotFound(), null);
        }

        if (!actor.May(roles.Holders(CaseRoles.Summon), options.Domain, c.GridPath))
        {
            return (CaseOutcome.Forbidden("None of your posts covers this case's grid for this step."), null);
        }

        if (!CaseLifecycle.IsOpen(c.State))
        {
            return (CaseOutcome.Conflict($"A case in state '{CaseNames.Of(c.State)}' cannot 'summon': it is finished.",
                new { currentState = CaseNames.Of(c.State), action = CaseRoles.Summon }), null);
        }

        var s = new SummonsView(Guid.NewGuid(), c.Id, department.Id, b.ReportBy ?? now + DeadlinePolicy.DefaultReportForDuty, null, null);
        await using (var cmd = tx.Command("INSERT INTO casework.summons (id, case_id, department_id, summoned_by, reason, summoned_at, report_by) VALUES ($1,$2,$3,$4,$5,$6,$7)"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = s.Id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = c.Id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = s.DepartmentId });
            cmd.Parameters.Add(new NpgsqlParameter { Value = actor.Subject });
            cmd.Parameters.Add(new NpgsqlParameter { Value = b.Reason ?? "" });
            cmd.Parameters.Add(new NpgsqlParameter { Value = now });
            cmd.Parameters.Add(new NpgsqlParameter { Value = s.ReportBy });
            await cmd.ExecuteNonQueryAsync(ct);
        }

        tx.Publish(Stamp(new DepartmentSummoned { SummonsId = s.Id, DepartmentId = s.DepartmentId, SummonedBy = actor.Subject, ReportBy = s.ReportBy, Reason = b.Reason ?? "" }, c, now));
        tx.Audit(c.Id, actor.Subject, "summon", actor.Origin, null, s);
        await tx.CommitAsync(ct);
        return (CaseOutcome.Ok(c, 201), s);
    }

    public async Task<(CaseOutcome Outcome, SummonsView? Summons)> ReportForDutyAsync(Guid id, CaseActionRequest b, Actor actor, CancellationToken ct)
    {
        if (!actor.May(roles.Holders(CaseRoles.ReportForDuty), options.Domain))
        {
            return (CaseOutcome.Forbidden($"Reporting for duty needs one of the roles: {string.Join(", ", roles.For(CaseRoles.ReportForDuty))}."), null);
        }

        if (b.SummonsId is null)
        {
            return (CaseOutcome.Invalid("summonsId", "is required"), null);
        }

        var now = Now();
        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, forUpdate: true, ct);
        if (c is null)
        {
            return (CaseOutcome.NotFound(), null);
        }

        if (!actor.May(roles.Holders(CaseRoles.ReportForDuty), options.Domain, c.GridPath))
        {
            return (CaseOutcome.Forbidden("None of your posts covers this case's grid for this step."), null);
        }

        SummonsView? s = null;
        await using (var cmd = tx.Command("SELECT id, case_id, department_id, report_by, reported_at, late FROM casework.summons WHERE id = $1 AND case_id = $2 FOR UPDATE"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = b.SummonsId.Value });
            cmd.Parameters.Add(new NpgsqlParameter { Value = id });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
            {
                s = new SummonsView(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                    r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetBoolean(5));
            }
        }

        if (s is null)
        {
            return (CaseOutcome.NotFound("summons of this case"), null);
        }

        if (s.ReportedAt is not null)
        {
            return (CaseOutcome.Conflict($"The department already reported for duty at {s.ReportedAt:O}.", new { currentState = "reported", action = CaseRoles.ReportForDuty }), null);
        }

        var late = now > s.ReportBy;
        s = s with { ReportedAt = now, Late = late };
        await using (var upd = tx.Command("UPDATE casework.summons SET reported_at = $2, late = $3 WHERE id = $1"))
        {
            upd.Parameters.Add(new NpgsqlParameter { Value = s.Id });
            upd.Parameters.Add(new NpgsqlParameter { Value = now });
            upd.Parameters.Add(new NpgsqlParameter { Value = late });
            await upd.ExecuteNonQueryAsync(ct);
        }

        tx.Publish(Stamp(new DepartmentReported { SummonsId = s.Id, DepartmentId = s.DepartmentId, ReportBy = s.ReportBy, Late = late }, c, now));
        tx.Audit(c.Id, actor.Subject, "report-for-duty", actor.Origin, null, s);
        await tx.CommitAsync(ct);
        return (CaseOutcome.Ok(c), s);
    }

    // ---------------------------------------------------------------- reads

    public async Task<CaseOutcome> GetAsync(Guid id, Actor actor, CancellationToken ct)
    {
        if (!actor.May(roles.Readers, options.Domain) && !IsComprehensiveFinder(actor))
        {
            return CaseOutcome.Forbidden("Reading cases needs a staff role of this domain.");
        }

        await using var conn = await db.DataSource.OpenConnectionAsync(ct);
        var c = await CaseRepository.GetAsync(conn, null, id, false, ct);
        if (c is null)
        {
            return CaseOutcome.NotFound();
        }

        if (IsComprehensiveFinder(actor))
        {
            // A finder follows what became of their own reports (结果反馈), nothing else of this department.
            return c.EnteredBy == actor.Subject ? CaseOutcome.Ok(c) : CaseOutcome.Forbidden("A comprehensive-grid finder reads only the cases they reported.");
        }

        return actor.May(roles.Readers, options.Domain, c.GridPath) ? CaseOutcome.Ok(c) : CaseOutcome.Forbidden("None of your posts covers this case's grid.");
    }

    /// <summary>
    /// 综合网格员: a worker of the comprehensive grid, whose token carries the comprehensive domain and not
    /// this department's, finds problems of every department on their patrol and reports them to the
    /// competent one. They may report and follow their own reports; every other step is the department's.
    /// </summary>
    public bool IsComprehensiveFinder(Actor actor) =>
        actor.User is { } u && !u.Allows(null, options.Domain) && u.Allows(null, Domains.Comprehensive);

    /// <summary>A finder reports only what lies in their own comprehensive grids; null when the point does.</summary>
    private async Task<CaseOutcome?> FinderPlaceAsync(double longitude, double latitude, Actor actor, CancellationToken ct)
    {
        var own = await grids.ResolveAsync(Domains.Comprehensive, longitude, latitude, ct);
        var chain = own is null ? null : await grids.GetChainAsync(own, ct);
        if (chain is null)
        {
            return CaseOutcome.Invalid("longitude", "no comprehensive grid contains the point");
        }

        return actor.May(roles.Holders(CaseRoles.Report), Domains.Comprehensive, chain.Select(l => l.GridId).Reverse())
            ? null
            : CaseOutcome.Forbidden("The point lies outside your grid scope.");
    }

    /// <summary>The reporter's identity, for the reward centre only; each read is itself audited.</summary>
    public async Task<(CaseOutcome Outcome, ReporterIdentity? Reporter)> GetReporterAsync(Guid id, Actor actor, CancellationToken ct)
    {
        if (!actor.May(roles.Holders(CaseRoles.ReadReporter), options.Domain) || actor.IsSystem)
        {
            return (CaseOutcome.Forbidden($"Reporter identities are for the roles: {string.Join(", ", roles.For(CaseRoles.ReadReporter))}."), null);
        }

        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, false, ct);
        if (c is null)
        {
            return (CaseOutcome.NotFound(), null);
        }

        if (!actor.May(roles.Holders(CaseRoles.ReadReporter), options.Domain, c.GridPath))
        {
            return (CaseOutcome.Forbidden("None of your posts covers this case's grid for this step."), null);
        }

        var sealedReporter = await CaseRepository.GetReporterAsync(tx, id, ct);
        if (sealedReporter is null)
        {
            return (CaseOutcome.NotFound("reporter for this case"), null);
        }

        var reporter = vault.Open(id, sealedReporter);
        tx.Audit(c.Id, actor.Subject, "reporter-read", actor.Origin, null, null);
        await tx.CommitAsync(ct);
        return (CaseOutcome.Ok(c), reporter);
    }

    internal TEvent Stamp<TEvent>(TEvent e, Case c, DateTimeOffset at)
        where TEvent : CaseEvent =>
        e with { OccurredAt = at, Domain = options.Domain, CaseId = c.Id, CaseNumber = c.Number, GridId = c.GridId, GridPath = c.GridPath };
}
