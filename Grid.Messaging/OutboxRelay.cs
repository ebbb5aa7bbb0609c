using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Messaging;

/// <summary>
/// 发件箱中继: publishes outbox rows (through <see cref="OutboxPublisher"/>) with publisher confirms and the
/// <c>mandatory</c> flag, then marks them sent. A row stays pending until the broker confirmed it was routed, so nothing is
/// lost when the broker is down or a subscriber's queue is missing. Order: rows go out in sequence; events of one case
/// are published one after another on one channel, also across the batches a poll reads ahead, different cases side by
/// side. One relay per database works at a time (advisory lock), so replicas do not reorder each other.
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

    /// <summary>Polls that found another relay holding the lock.</summary>
    internal int LockRefusals => _lockRefusals;

    private int _lockRefusals;

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

    /// <summary>
    /// Publishes what is pending, a batch at a time with the next ones already out: while the broker confirms a batch the
    /// relay reads and starts the following ones and marks the confirmed one sent, so that the broker is not left idle
    /// while the database works. Returns how many rows it handled and whether any publish failed.
    /// </summary>
    public async Task<(int Count, bool Failed)> RelayOnceAsync(CancellationToken ct)
    {
        var channels = await publisher.ChannelsAsync(ct);
        await using var conn = await database.DataSource.OpenConnectionAsync(ct);
        // Generic plans on this connection while it relays: planned afresh for each poll's values, the pending-row scan and
        // the mark took 0.27 and 0.17 ms of planning a call, most of their time (pg_stat_statements at 300 reports/s).
        await using (var lockCmd = new NpgsqlCommand("SELECT CASE WHEN pg_try_advisory_lock(hashtext('casework.relay')) THEN set_config('plan_cache_mode', 'force_generic_plan', false) IS NOT NULL ELSE false END", conn))
        {
            if (!(bool)(await lockCmd.ExecuteScalarAsync(ct))!)
            {
                // Another replica's relay is at work; what this one knew of the outbox will be stale.
                _floor.Reset();
                Interlocked.Increment(ref _lockRefusals);
                return (0, false);
            }
        }

        var poll = new Poll(channels);
        InFlight? current = null;
        try
        {
            var bound = _floor.Bound(TimeProvider.System.GetUtcNow());
            var rows = await FetchAsync(conn, bound, ct);
            if (rows.Count == 0)
            {
                _floor.Record(bound, [], [], TimeProvider.System.GetUtcNow());
                return (0, false);
            }

            poll.Start(rows, bound, this, ct);
            await ReadAheadAsync(conn, poll, ct);
            var (count, failed) = (0, false);
            while (poll.Out.TryDequeue(out current))
            {
                await current.Done;
                failed |= !current.Errors.IsEmpty;
                if (!failed)
                {
                    await ReadAheadAsync(conn, poll, ct);
                }

                await MarkAsync(conn, current, ct);
                count += current.Rows.Count;
                current = null;
            }

            return (count, failed);
        }
        finally
        {
            // Whatever is still publishing is let finish before the connection goes back; its rows stay pending and go out again.
            await Task.WhenAll(poll.Out.Append(current).OfType<InFlight>().Select(f => f.Done)).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                // The connection goes back to the pool: the lock and the setting are this relay's alone.
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('casework.relay')), set_config('plan_cache_mode', 'auto', false)", conn);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // A broken connection is dropped from the pool, and the lock with it.
                logger.LogDebug(e, "Outbox relay could not release its lock; the connection is dropped with it");
            }
        }
    }

    // Batches out at once: the database's reads and marks (some 30 ms each a batch here) hide behind two more batches'
    // publishing. A poll reads at most 100 batches (some ten seconds of publishing); a row that commits below them waits
    // for the next poll.
    private const int BatchesOut = 3;
    private const int MaxBatchesPerPoll = 100;

    /// <summary>Reads and starts the batches after the last one started while that one was full, until three are out.</summary>
    private async Task ReadAheadAsync(NpgsqlConnection conn, Poll poll, CancellationToken ct)
    {
        while (!poll.Exhausted && poll.Out.Count < BatchesOut)
        {
            if (poll.Last.Rows.Count < settings.RelayBatchSize || poll.Batches >= MaxBatchesPerPoll)
            {
                poll.Exhausted = true;
                return;
            }

            var bound = poll.Last.Rows[^1].Seq;
            var rows = await FetchAsync(conn, bound, ct);
            if (rows.Count == 0)
            {
                poll.Exhausted = true;
                return;
            }

            poll.Start(rows, bound, this, ct);
        }
    }

    private async Task<List<OutboxRow>> FetchAsync(NpgsqlConnection conn, long bound, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT seq, event_id, event_type, case_id, payload, traceparent, tracestate FROM casework.outbox WHERE state = 0 AND seq > $2 ORDER BY seq LIMIT $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = settings.RelayBatchSize });
        cmd.Parameters.Add(new NpgsqlParameter { Value = bound });
        var rows = new List<OutboxRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new OutboxRow(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetGuid(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)));
        }

        return rows;
    }

    /// <summary>One case's rows of a batch in order; false when one failed, or an earlier one of the case did, and the rest wait.</summary>
    private async Task<bool> PublishCaseAsync(RabbitMQ.Client.IChannel channel, OutboxRow[] rows, Task<bool>? before, InFlight batch, CancellationToken ct)
    {
        if (before is not null && !await before)
        {
            return false;
        }

        foreach (var row in rows)
        {
            try
            {
                await PublishAsync(channel, row, ct);
                batch.Sent.Add(row.Seq);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                batch.Errors[row.Seq] = ex.GetType().Name + ": " + ex.Message;
                return false;
            }
        }

        return true;
    }

    /// <summary>Marks a confirmed batch sent (and its failures tried) in one transaction, then moves the floor.</summary>
    /// <remarks>
    /// The mark commits without waiting for its WAL flush: the broker has confirmed the rows already, so a mark lost in a
    /// database crash only sends them again, and consumers drop what they have had (inbox). Waiting for the flush would
    /// put the database's disk sync beside the broker's on every batch.
    /// </remarks>
    private async Task MarkAsync(NpgsqlConnection conn, InFlight batch, CancellationToken ct)
    {
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await using var marks = new NpgsqlBatch(conn, tx);
            marks.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO off"));
            if (!batch.Sent.IsEmpty)
            {
                marks.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE casework.outbox SET state = 1, sent_at = now(), attempts = attempts + 1 WHERE seq = ANY($1)")
                { Parameters = { new NpgsqlParameter { Value = batch.Sent.ToArray() } } });
            }

            foreach (var (seq, error) in batch.Errors)
            {
                marks.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE casework.outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = $1")
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = seq },
                        new NpgsqlParameter { Value = error.Length > 1000 ? error[..1000] : error },
                    },
                });
            }

            await marks.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }

        _floor.Record(batch.Bound, batch.Rows.ConvertAll(r => r.Seq), batch.Sent, TimeProvider.System.GetUtcNow());
        Published.Add(batch.Sent.Count);
        if (!batch.Errors.IsEmpty)
        {
            logger.LogWarning("Outbox relay: {Sent} published, {Failed} kept for retry: {Error}", batch.Sent.Count, batch.Errors.Count, batch.Errors.First().Value);
        }
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
            // A hung channel may not honour the token: the wait gives up on it all the same (one timer a publish, not two).
            await publisher.PublishAsync(channel, type, row.EventId, row.Payload, parent, state, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, nameof(TimeoutException));
            throw new TimeoutException($"the broker did not confirm within {settings.PublishTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private sealed record OutboxRow(long Seq, Guid EventId, string EventType, Guid? CaseId, string Payload, string? TraceParent, string? TraceState);

    /// <summary>A batch on its way: the rows fetched above <see cref="Bound"/>, what the broker confirmed and what failed.</summary>
    private sealed class InFlight(List<OutboxRow> rows, long bound)
    {
        public List<OutboxRow> Rows { get; } = rows;

        public long Bound { get; } = bound;

        public System.Collections.Concurrent.ConcurrentBag<long> Sent { get; } = [];

        public System.Collections.Concurrent.ConcurrentDictionary<long, string> Errors { get; } = new();

        public Task Done { get; set; } = Task.CompletedTask;
    }

    /// <summary>
    /// One poll's batches in the order read, and each case's last publish so far: a case's events in a later batch start
    /// once its events before are confirmed, and stay back if one of them failed, on whichever batch it was.
    /// </summary>
    private sealed class Poll(IReadOnlyList<RabbitMQ.Client.IChannel> channels)
    {
        private readonly Dictionary<Guid, Task<bool>> _tails = [];

        public Queue<InFlight> Out { get; } = new();

        public InFlight Last { get; private set; } = null!;

        public int Batches { get; private set; }

        public bool Exhausted { get; set; }

        public void Start(List<OutboxRow> rows, long bound, OutboxRelay relay, CancellationToken ct)
        {
            var batch = new InFlight(rows, bound);
            var cases = new List<Task<bool>>();
            foreach (var g in rows.GroupBy(r => r.CaseId ?? r.EventId))
            {
                var channel = channels[(int)((uint)g.Key.GetHashCode() % (uint)channels.Count)];
                var task = relay.PublishCaseAsync(channel, [.. g], _tails.GetValueOrDefault(g.Key), batch, ct);
                _tails[g.Key] = task;
                cases.Add(task);
            }

            batch.Done = Task.WhenAll(cases);
            Out.Enqueue(batch);
            (Last, Batches) = (batch, Batches + 1);
        }
    }
}
