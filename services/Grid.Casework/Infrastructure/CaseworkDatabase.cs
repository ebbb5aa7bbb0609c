using System.Text.Json;
using Grid.Contracts.Events;
using Grid.Messaging;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Casework.Infrastructure;

/// <summary>The service's own database as the case life cycle, outbox and inbox use it.</summary>
public sealed class CaseworkDatabase(NpgsqlDataSource dataSource, OutboxSignal signal, TimeProvider time, AuditChain? audit = null)
{
    private const int ChainBatch = 2000;

    /// <summary>Queued rows whose MAC does not hold: never linked, reported by verification.</summary>
    private readonly HashSet<long> _refused = [];

    public NpgsqlDataSource DataSource { get; } = dataSource;

    public TimeProvider Time { get; } = time;

    /// <summary>The keyed chain of this service's audit trail; null in a service that writes no audit entries.</summary>
    public AuditChain? Audit { get; } = audit;

    /// <summary>Wakes the audit chainer after a commit that wrote audit entries (the same one-wake-up signal the outbox uses).</summary>
    internal OutboxSignal AuditSignal { get; } = new();

    /// <summary>
    /// Links committed audit entries into the chain, oldest first, and returns how many it linked. Transactions only
    /// append to <c>casework_audit.queue</c> (each entry with its own MAC), without a lock, so that concurrent reports do
    /// not queue behind the one head of the chain; this is the one place that takes it (an advisory lock, so replicas
    /// take turns). A queued row whose MAC does not hold was altered or forged in the database: it is left out of the
    /// chain and logged. Readers of the chain call this first and so never miss an entry.
    /// </summary>
    public async Task<int> ChainAuditAsync(ILogger? logger = null, CancellationToken ct = default)
    {
        if (Audit is null)
        {
            return 0;
        }

        var total = 0;
        while (true)
        {
            await using var conn = await DataSource.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            long seq = 0;
            var prev = AuditChain.Genesis;
            var pending = new List<(long Id, Guid EntryId, AuditRecord Record, string Mac)>();
            long[] refused;
            lock (_refused)
            {
                refused = [.. _refused];
            }

            await using (var batch = new NpgsqlBatch(conn, tx))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtext('casework_audit.chain'))"));
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT seq, hash FROM casework_audit.entries ORDER BY seq DESC LIMIT 1"));
                var read = new NpgsqlBatchCommand($"SELECT id, entry_id, case_id, actor, action, origin, at, before, after, mac FROM casework_audit.queue WHERE id <> ALL($1) ORDER BY id LIMIT {ChainBatch}");
                read.Parameters.Add(new NpgsqlParameter { Value = refused });
                batch.BatchCommands.Add(read);
                await using var reader = await batch.ExecuteReaderAsync(ct);
                await reader.NextResultAsync(ct);
                if (await reader.ReadAsync(ct))
                {
                    seq = reader.GetInt64(0);
                    prev = reader.GetString(1);
                }

                await reader.NextResultAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    pending.Add((reader.GetInt64(0), reader.GetGuid(1), new AuditRecord(reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                        reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8)), reader.GetString(9)));
                }
            }

            if (pending.Count == 0)
            {
                await tx.CommitAsync(ct);
                return total;
            }

            var entries = new List<(long QueueId, AuditEntry Entry)>(pending.Count);
            foreach (var p in pending)
            {
                if (Audit.Written(p.EntryId, p.Record) != p.Mac)
                {
                    lock (_refused)
                    {
                        _refused.Add(p.Id);
                    }

                    logger?.LogError("Audit entry {QueueId} in the queue does not hold its MAC (altered or forged in the database); left out of the chain", p.Id);
                    continue;
                }

                var entry = new AuditEntry(++seq, p.EntryId, p.Record, prev, "");
                entry = entry with { Hash = Audit.Link(entry) };
                entries.Add((p.Id, entry));
                prev = entry.Hash;
            }

            if (entries.Count > 0)
            {
                await using var batch = new NpgsqlBatch(conn, tx);
                var insert = new NpgsqlBatchCommand("""
                    INSERT INTO casework_audit.entries (seq, entry_id, queue_id, case_id, actor, action, origin, at, before, after, prev_hash, hash)
                    SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[])
                    """);
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Seq).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.EntryId).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.QueueId).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.CaseId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.Actor).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.Action).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.Origin).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.At).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.Before).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Record.After).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.PrevHash).ToArray() });
                insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Entry.Hash).ToArray() });
                batch.BatchCommands.Add(insert);
                var unqueue = new NpgsqlBatchCommand("SELECT casework_audit.unqueue($1, $2)");
                unqueue.Parameters.Add(new NpgsqlParameter { Value = entries[0].Entry.Seq });
                unqueue.Parameters.Add(new NpgsqlParameter { Value = entries[^1].Entry.Seq });
                batch.BatchCommands.Add(unqueue);
                await batch.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
            total += entries.Count;
            if (pending.Count < ChainBatch)
            {
                return total;
            }
        }
    }

    /// <summary>Opens a connection and a transaction; events and audit entries written through it commit with it.</summary>
    public async Task<CaseworkTransaction> BeginAsync(CancellationToken ct = default)
    {
        var conn = await DataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await conn.BeginTransactionAsync(ct);
            return new CaseworkTransaction(conn, tx, signal, AuditSignal, Time, Audit);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// One unit of work: a state change, the events it causes (outbox) and its audit entries, committed
/// together or not at all (eShop's IntegrationEventLog pattern).
/// </summary>
public sealed class CaseworkTransaction : IAsyncDisposable
{
    internal static JsonSerializerOptions Json => Outbox.Json;

    private readonly OutboxSignal _signal;
    private readonly OutboxSignal _auditSignal;
    private readonly TimeProvider _time;
    private readonly List<OutboxEntry> _events = [];
    private readonly List<NpgsqlBatchCommand> _deferred = [];
    private readonly List<(Guid? CaseId, string Actor, string Action, string Origin, string? Before, string? After)> _audit = [];
    private readonly AuditChain? _chain;
    private bool _done;

    internal CaseworkTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxSignal signal, OutboxSignal auditSignal, TimeProvider time, AuditChain? chain)
    {
        _chain = chain;
        Connection = connection;
        Transaction = transaction;
        _signal = signal;
        _auditSignal = auditSignal;
        _time = time;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>True once COMMIT went to the server: from then on a failure may have committed or not.</summary>
    public bool CommitSent { get; private set; }

    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    /// <summary>
    /// Queues a write whose answer nobody waits for (an insert of a new row); it goes to the database in the commit's
    /// one round trip with the outbox and audit rows, in the order queued, ahead of them. Rows it writes are not
    /// visible to this transaction's own commands before the commit.
    /// </summary>
    public void Defer(NpgsqlBatchCommand command) => _deferred.Add(command);

    /// <summary>
    /// Queues an integration event into the outbox of this transaction, in the trace of the caller's span (a report
    /// written by a group commit's writer keeps its own request's trace).
    /// </summary>
    public void Publish(IntegrationEvent e) => _events.Add(OutboxEntry.InCurrentTrace(e));

    /// <summary>Queues an audit entry (before/after are serialized to JSON as given).</summary>
    public void Audit(Guid? caseId, string actor, string action, string origin, object? before, object? after) =>
        _audit.Add((caseId, actor, action, origin,
            before is null ? null : JsonSerializer.Serialize(before, Json),
            after is null ? null : JsonSerializer.Serialize(after, Json)));

    /// <summary>
    /// Records that <paramref name="consumer"/> handled <paramref name="eventId"/>; false when it already
    /// had (a redelivery), in which case the caller must do nothing.
    /// </summary>
    public async Task<bool> TryMarkHandledAsync(Guid eventId, string consumer, CancellationToken ct = default) =>
        (await TryMarkHandledAsync([eventId], consumer, ct)).Count == 1;

    /// <summary>
    /// <see cref="TryMarkHandledAsync(Guid, string, CancellationToken)"/> for several events in one statement; returns
    /// those marked now (an EventId handled before, or twice in the list, is returned at most once).
    /// </summary>
    public Task<HashSet<Guid>> TryMarkHandledAsync(IReadOnlyCollection<Guid> eventIds, string consumer, CancellationToken ct = default) =>
        Inbox.TryMarkHandledAsync(Connection, Transaction, eventIds, consumer, ct);

    public async Task CommitAsync(CancellationToken ct = default)
    {
        // Deferred writes, the outbox and audit rows go in one round trip, then the commit.
        if (_deferred.Count > 0 || _events.Count > 0 || _audit.Count > 0)
        {
            await using var batch = new NpgsqlBatch(Connection, Transaction);
            foreach (var command in _deferred)
            {
                batch.BatchCommands.Add(command);
            }

            if (_events.Count > 0)
            {
                batch.BatchCommands.Add(Outbox.InsertCommand(_events));
            }

            if (_audit.Count > 0)
            {
                batch.BatchCommands.Add(AuditCommand());
            }

            await batch.ExecuteNonQueryAsync(ct);
        }

        CommitSent = true;
        await Transaction.CommitAsync(ct);
        _done = true;
        if (_events.Count > 0)
        {
            _signal.Notify();
        }

        if (_audit.Count > 0)
        {
            _auditSignal.Notify();
        }
    }

    private NpgsqlBatchCommand AuditCommand()
    {
        // Appended without a lock, each entry with its MAC from this moment; CaseworkDatabase.ChainAuditAsync links it
        // into the chain once committed.
        var chain = _chain ?? throw new InvalidOperationException("This service keeps no audit trail (Casework:AuditKey is not configured).");
        var at = AuditChain.Truncate(_time.GetUtcNow());
        var rows = _audit.Select(e => (Id: Guid.NewGuid(), Record: new AuditRecord(e.CaseId, e.Actor, e.Action, e.Origin, at, e.Before, e.After))).ToArray();
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO casework_audit.queue (entry_id, case_id, actor, action, origin, at, before, after, mac)
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Id).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.CaseId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.Actor).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.Action).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.Origin).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.At).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.Before).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => e.Record.After).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(e => chain.Written(e.Id, e.Record)).ToArray() });
        return cmd;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_done)
        {
            try
            {
                await Transaction.RollbackAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The connection is already broken; disposing it ends the transaction anyway.
            }
        }

        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
