using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Messaging;

/// <summary>
/// 发件箱中继: publishes outbox rows (through <see cref="OutboxPublisher"/>) with publisher confirms and the
/// <c>mandatory</c> flag, then marks them sent. A row stays pending until the broker confirmed it was routed, so nothing is
/// lost when the broker is down or a subscriber's queue is missing. Order: rows go out in sequence; within a
/// batch, events of one case are published one after another on one channel, different cases side by side. One relay per
/// database works at a time (advisory lock), so replicas do not reorder each other.
/// </summary>
public sealed class OutboxRelay(
    OutboxDataSource database,
    OutboxPublisher publisher,
    OutboxSignal signal,
    TopologyDeclarer topology,
    MessagingSettings settings,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private static readonly Meter Meter = new("Grid.Casework");
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("grid.casework.outbox.published");

    // Real time, not the injected clock: the gap timeout is about how long transactions take.
    private readonly OutboxFloor _floor = new(settings.RelayGapTimeout, settings.RelayFullPollInterval);

    /// <summary>The relay's low-water mark: every outbox row up to this sequence number is published.</summary>
    internal long LowWaterMark => _floor.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await topology.Ready.WaitAsync(stoppingToken);
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                int count;
                bool failed;
                try
                {
                    (count, failed) = await RelayOnceAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database or the broker restarted or is unreachable: the rows are still in the outbox; try again
                    // later on a fresh connection rather than take the whole service down.
                    logger.LogWarning("Outbox relay could not reach the database or the broker ({Error}); retrying", e.Message);
                    (count, failed) = (0, true);
                }

                if (failed)
                {
                    failures++;
                    await publisher.ResetAsync();
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * Math.Pow(2, Math.Min(failures, 5)), 5000)), stoppingToken);
                    continue;
                }

                failures = 0;
                if (count < settings.RelayBatchSize)
                {
                    await signal.WaitAsync(settings.RelayPollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Publishes one batch; returns how many rows it handled and whether any publish failed.</summary>
    public async Task<(int Count, bool Failed)> RelayOnceAsync(CancellationToken ct)
    {
        var channels = await publisher.ChannelsAsync(ct);
        List<OutboxRow> rows;
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Generic plans for this transaction's statements: planned afresh for each poll's values, the pending-row scan and
        // the mark took 0.27 and 0.17 ms of planning a call, most of their time (pg_stat_statements at 300 reports/s).
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtext('casework.relay')) AND set_config('plan_cache_mode', 'force_generic_plan', true) IS NOT NULL", conn, tx))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                // Another replica's relay is at work; what this one knew of the outbox will be stale.
                _floor.Reset();
                return (0, false);
            }
        }

        var bound = _floor.Bound(TimeProvider.System.GetUtcNow());
        await using (var cmd = new NpgsqlCommand("SELECT seq, event_id, event_type, case_id, payload, traceparent, tracestate FROM casework.outbox WHERE state = 0 AND seq > $2 ORDER BY seq LIMIT $1", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = settings.RelayBatchSize });
            cmd.Parameters.Add(new NpgsqlParameter { Value = bound });
            rows = [];
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                rows.Add(new OutboxRow(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetGuid(3), r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)));
            }
        }

        if (rows.Count == 0)
        {
            _floor.Record(bound, [], [], TimeProvider.System.GetUtcNow());
            return (0, false);
        }

        var sent = new System.Collections.Concurrent.ConcurrentBag<long>();
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<long, string>();
        var groups = rows.GroupBy(r => r.CaseId ?? r.EventId).ToList();
        await Task.WhenAll(groups.Select(async g =>
        {
            var channel = channels[(int)((uint)g.Key.GetHashCode() % (uint)channels.Count)];
            foreach (var row in g)
            {
                try
                {
                    await PublishAsync(channel, row, ct);
                    sent.Add(row.Seq);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Later events of the same case wait for this one.
                    errors[row.Seq] = ex.GetType().Name + ": " + ex.Message;
                    break;
                }
            }
        }));

        if (!sent.IsEmpty)
        {
            await using var mark = new NpgsqlCommand("UPDATE casework.outbox SET state = 1, sent_at = now(), attempts = attempts + 1 WHERE seq = ANY($1)", conn, tx);
            mark.Parameters.Add(new NpgsqlParameter { Value = sent.ToArray() });
            await mark.ExecuteNonQueryAsync(ct);
        }

        foreach (var (seq, error) in errors)
        {
            await using var fail = new NpgsqlCommand("UPDATE casework.outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = $1", conn, tx);
            fail.Parameters.Add(new NpgsqlParameter { Value = seq });
            fail.Parameters.Add(new NpgsqlParameter { Value = error.Length > 1000 ? error[..1000] : error });
            await fail.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        _floor.Record(bound, rows.ConvertAll(r => r.Seq), sent, TimeProvider.System.GetUtcNow());
        Published.Add(sent.Count);
        if (!errors.IsEmpty)
        {
            logger.LogWarning("Outbox relay: {Sent} published, {Failed} kept for retry: {Error}", sent.Count, errors.Count, errors.First().Value);
        }

        return (rows.Count, !errors.IsEmpty);
    }

    private async Task PublishAsync(RabbitMQ.Client.IChannel channel, OutboxRow row, CancellationToken ct)
    {
        if (!EventTypes.ByName.TryGetValue(row.EventType, out var type))
        {
            throw new InvalidOperationException($"unknown event type '{row.EventType}'");
        }

        // In the trace of the request that wrote the row, each row its own: the consumer continues this span. Async: it is
        // current for this publish alone, not for the rows beside it.
        using var activity = MessagingTrace.StartRelay(row.EventId, row.EventType, row.CaseId, row.TraceParent, row.TraceState);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.PublishTimeout);
        try
        {
            var (parent, state) = activity is not null ? (activity.Id, activity.TraceStateString) : (row.TraceParent, row.TraceState);
            // A hung channel may not honour the token.
            await publisher.PublishAsync(channel, type, row.EventId, row.Payload, parent, state, timeout.Token).WaitAsync(settings.PublishTimeout, ct);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private sealed record OutboxRow(long Seq, Guid EventId, string EventType, Guid? CaseId, string Payload, string? TraceParent, string? TraceState);
}
