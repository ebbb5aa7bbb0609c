using Grid.Casework.Infrastructure;
using Grid.CommandCenter.Domain;
using Grid.Contracts.Events;
using Npgsql;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// Applies one integration event to the read models in one transaction together with its inbox entry
/// (Grid.Casework's inbox), so a redelivered or replayed event changes nothing and a crash leaves either
/// both or neither.
/// </summary>
public sealed class ReadModelProjector(CaseworkDatabase db, LiveFeed feed, ILogger<ReadModelProjector> logger)
{
    /// <summary>The command centre's name in the inbox: one entry per event, whichever type it is.</summary>
    public const string InboxConsumer = "command-centre";

    /// <summary>Applies an event in a transaction of its own. Returns false when it had been applied before.</summary>
    public async Task<bool> ApplyAsync(IntegrationEvent e, CancellationToken ct = default) => await ApplyAsync([e], ct) == 1;

    /// <summary>
    /// Applies events in one transaction with their inbox entries, skipping those applied before, and shows the
    /// applied ones on the live feed once committed. Returns how many were applied.
    /// </summary>
    public async Task<int> ApplyAsync(IReadOnlyList<IntegrationEvent> events, CancellationToken ct = default)
    {
        await using var tx = await db.BeginAsync(ct);
        var fresh = await tx.TryMarkHandledAsync(events.Select(e => e.EventId).ToList(), InboxConsumer, ct);
        var shown = new List<FeedItem>(fresh.Count);
        foreach (var e in events)
        {
            if (!fresh.Remove(e.EventId))
            {
                logger.LogDebug("Event {EventId} ({Type}) already applied", e.EventId, e.GetType().Name);
                continue;
            }

            shown.Add(FeedItem.From(e, await ProjectAsync(tx.Connection, tx.Transaction, e, ct)));
        }

        await tx.CommitAsync(ct);
        foreach (var item in shown)
        {
            feed.Publish(item);
        }

        return shown.Count;
    }

    /// <summary>
    /// The read-model change of one event inside the caller's transaction (whose inbox entry the caller made).
    /// Returns the case's state afterwards, when the event concerns a case.
    /// </summary>
    public async Task<string?> ProjectAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IntegrationEvent e, CancellationToken ct)
    {
        string? state = null;
        if (CaseProjection.ToCaseChange(e) is { } change)
        {
            await using var cmd = TypedParameters.Command(UpsertCase, change, conn, tx);
            state = (string?)await cmd.ExecuteScalarAsync(ct);
        }

        if (CaseProjection.ToTransferChange(e) is { } transfer)
        {
            await using var cmd = TypedParameters.Command(UpsertTransfer, transfer, conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        if (CaseProjection.ToSummonsChange(e) is { } summons)
        {
            await using var cmd = TypedParameters.Command(UpsertSummons, summons, conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        return state;
    }

    // Each column merges by its own rule so that the order of arrival does not matter:
    // first-time columns take LEAST, last-time columns GREATEST, the state follows the latest OccurredAt.
    const string UpsertCase = """
        INSERT INTO cc_cases AS c (case_id, domain, case_number, grid_id, grid_path, category, severity, title, source,
            longitude, latitude, state, state_at, reported_at, accepted_at, rejected_at, dispatched_at, handle_by,
            department, first_handled_at, verified_at, closed_at, on_time, reopen_count, last_reopened_at,
            breach_count, first_breached_at, breach_step, breach_responsible, escalated_at, escalation_reason,
            escalated_to, listed_at, transferred_at, last_event_at)
        VALUES (@CaseId, @Domain, @CaseNumber, @GridId, @GridPath, @Category, @Severity, @Title, @Source,
            @Longitude, @Latitude, COALESCE(@State, 'unknown'),
            CASE WHEN @State IS NULL THEN '-infinity'::timestamptz ELSE @OccurredAt END,
            @ReportedAt, @AcceptedAt, @RejectedAt, @DispatchedAt, @HandleBy,
            @Department, @HandledAt, @VerifiedAt, @ClosedAt, @OnTime, COALESCE(@ReopenCount, 0), @ReopenedAt,
            @BreachIncrement, @BreachedAt, @BreachStep, @BreachResponsible, @EscalatedAt, @EscalationReason,
            @EscalatedTo, @ListedAt, @TransferredAt, @OccurredAt)
        ON CONFLICT (case_id) DO UPDATE SET
            domain = COALESCE(NULLIF(EXCLUDED.domain, ''), c.domain),
            case_number = COALESCE(NULLIF(EXCLUDED.case_number, ''), c.case_number),
            grid_id = CASE WHEN EXCLUDED.grid_id <> '' AND (c.grid_id = '' OR EXCLUDED.last_event_at >= c.last_event_at)
                THEN EXCLUDED.grid_id ELSE c.grid_id END,
            grid_path = CASE WHEN cardinality(EXCLUDED.grid_path) > 0 AND (cardinality(c.grid_path) = 0 OR EXCLUDED.last_event_at >= c.last_event_at)
                THEN EXCLUDED.grid_path ELSE c.grid_path END,
            category = COALESCE(EXCLUDED.category, c.category),
            severity = COALESCE(EXCLUDED.severity, c.severity),
            title = COALESCE(EXCLUDED.title, c.title),
            source = COALESCE(EXCLUDED.source, c.source),
            longitude = COALESCE(EXCLUDED.longitude, c.longitude),
            latitude = COALESCE(EXCLUDED.latitude, c.latitude),
            state = CASE WHEN @State IS NOT NULL AND EXCLUDED.state_at >= c.state_at THEN EXCLUDED.state ELSE c.state END,
            state_at = GREATEST(c.state_at, EXCLUDED.state_at),
            reported_at = LEAST(c.reported_at, EXCLUDED.reported_at),
            accepted_at = LEAST(c.accepted_at, EXCLUDED.accepted_at),
            rejected_at = LEAST(c.rejected_at, EXCLUDED.rejected_at),
            dispatched_at = LEAST(c.dispatched_at, EXCLUDED.dispatched_at),
            handle_by = CASE WHEN EXCLUDED.handle_by IS NOT NULL AND EXCLUDED.last_event_at >= COALESCE(GREATEST(c.accepted_at, c.dispatched_at), '-infinity')
                THEN EXCLUDED.handle_by ELSE COALESCE(c.handle_by, EXCLUDED.handle_by) END,
            department = CASE WHEN EXCLUDED.department IS NOT NULL AND EXCLUDED.last_event_at >= COALESCE(c.dispatched_at, '-infinity')
                THEN EXCLUDED.department ELSE COALESCE(c.department, EXCLUDED.department) END,
            first_handled_at = LEAST(c.first_handled_at, EXCLUDED.first_handled_at),
            verified_at = GREATEST(c.verified_at, EXCLUDED.verified_at),
            closed_at = GREATEST(c.closed_at, EXCLUDED.closed_at),
            on_time = COALESCE(EXCLUDED.on_time, c.on_time),
            reopen_count = GREATEST(c.reopen_count, EXCLUDED.reopen_count),
            last_reopened_at = GREATEST(c.last_reopened_at, EXCLUDED.last_reopened_at),
            breach_count = c.breach_count + EXCLUDED.breach_count,
            first_breached_at = LEAST(c.first_breached_at, EXCLUDED.first_breached_at),
            breach_step = COALESCE(EXCLUDED.breach_step, c.breach_step),
            breach_responsible = COALESCE(EXCLUDED.breach_responsible, c.breach_responsible),
            escalation_reason = CASE WHEN EXCLUDED.escalated_at >= COALESCE(c.escalated_at, '-infinity')
                THEN EXCLUDED.escalation_reason ELSE c.escalation_reason END,
            escalated_to = CASE WHEN EXCLUDED.escalated_at >= COALESCE(c.escalated_at, '-infinity')
                THEN EXCLUDED.escalated_to ELSE c.escalated_to END,
            escalated_at = GREATEST(c.escalated_at, EXCLUDED.escalated_at),
            listed_at = LEAST(c.listed_at, EXCLUDED.listed_at),
            transferred_at = LEAST(c.transferred_at, EXCLUDED.transferred_at),
            last_event_at = GREATEST(c.last_event_at, EXCLUDED.last_event_at),
            projected_at = clock_timestamp()
        RETURNING state
        """;

    const string UpsertTransfer = """
        INSERT INTO cc_transfers AS t (transfer_id, origin_case_id, origin_domain, target_domain, target_case_id, grid_id,
            grid_path, title, requested_at, result_due_by, accepted_at, result_at, outcome)
        VALUES (@TransferId, @OriginCaseId, @OriginDomain, @TargetDomain, @TargetCaseId, @GridId,
            COALESCE(@GridPath, '{}'), @Title, @RequestedAt, @ResultDueBy, @AcceptedAt, @ResultAt, @Outcome)
        ON CONFLICT (transfer_id) DO UPDATE SET
            origin_case_id = COALESCE(t.origin_case_id, EXCLUDED.origin_case_id),
            origin_domain = COALESCE(t.origin_domain, EXCLUDED.origin_domain),
            target_domain = COALESCE(t.target_domain, EXCLUDED.target_domain),
            target_case_id = COALESCE(EXCLUDED.target_case_id, t.target_case_id),
            grid_id = COALESCE(t.grid_id, EXCLUDED.grid_id),
            grid_path = CASE WHEN cardinality(t.grid_path) = 0 THEN EXCLUDED.grid_path ELSE t.grid_path END,
            title = COALESCE(t.title, EXCLUDED.title),
            requested_at = COALESCE(t.requested_at, EXCLUDED.requested_at),
            result_due_by = COALESCE(EXCLUDED.result_due_by, t.result_due_by),
            accepted_at = COALESCE(t.accepted_at, EXCLUDED.accepted_at),
            result_at = COALESCE(t.result_at, EXCLUDED.result_at),
            outcome = COALESCE(t.outcome, EXCLUDED.outcome)
        """;

    const string UpsertSummons = """
        INSERT INTO cc_summons AS s (summons_id, case_id, domain, grid_id, grid_path, department_id, summoned_by, reason,
            summoned_at, report_by, reported_at)
        VALUES (@SummonsId, @CaseId, @Domain, @GridId, @GridPath, @DepartmentId, @SummonedBy, @Reason,
            @SummonedAt, @ReportBy, @ReportedAt)
        ON CONFLICT (summons_id) DO UPDATE SET
            case_id = COALESCE(s.case_id, EXCLUDED.case_id),
            domain = COALESCE(NULLIF(s.domain, ''), EXCLUDED.domain),
            grid_id = COALESCE(NULLIF(s.grid_id, ''), EXCLUDED.grid_id),
            grid_path = CASE WHEN cardinality(s.grid_path) = 0 THEN EXCLUDED.grid_path ELSE s.grid_path END,
            summoned_by = COALESCE(s.summoned_by, EXCLUDED.summoned_by),
            reason = COALESCE(s.reason, EXCLUDED.reason),
            summoned_at = COALESCE(s.summoned_at, EXCLUDED.summoned_at),
            report_by = CASE WHEN EXCLUDED.summoned_at IS NOT NULL THEN EXCLUDED.report_by ELSE s.report_by END,
            reported_at = LEAST(s.reported_at, EXCLUDED.reported_at)
        """;
}
