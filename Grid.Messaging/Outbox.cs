using System.Text.Json;
using Grid.Contracts.Events;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Messaging;

/// <summary>
/// 发件箱: the one way an event enters <c>casework.outbox</c> (the schema keeps the name it was first created under), in the transaction of the change it announces.
/// <see cref="OutboxRelay"/> publishes the rows. Case changes queue events on their <c>CaseworkTransaction</c>;
/// a service writing its own state in its own transaction (the organization's grid writes) calls <see cref="AddAsync"/>.
/// Each row keeps the trace context of the request that caused it (<see cref="OutboxEntry"/>), which the relay continues.
/// </summary>
public static class Outbox
{
    /// <summary>The serializer of outbox payloads, which the relay reads back with the same options.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="events"/> within <paramref name="tx"/>, in the current trace; they go out once it commits.</summary>
    public static async Task AddAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<IntegrationEvent> events, CancellationToken ct = default)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(InsertCommand(events.Select(OutboxEntry.InCurrentTrace).ToList()));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One multi-row insert of <paramref name="entries"/>, for a batch that commits with other statements.</summary>
    public static NpgsqlBatchCommand InsertCommand(IReadOnlyList<OutboxEntry> entries)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO casework.outbox (event_id, event_type, case_id, payload, traceparent, tracestate)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[])
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Event.EventId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Event.GetType().Name).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            // The relay keeps one case's events in order and publishes different cases side by side.
            Value = entries.Select(e => e.Event is CaseEvent c && c.CaseId != Guid.Empty ? (Guid?)c.CaseId : null).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid,
        });
        cmd.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => JsonSerializer.Serialize(e.Event, e.Event.GetType(), Json)).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.TraceParent).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.TraceState).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return cmd;
    }
}

/// <summary>
/// An event bound for the outbox with the trace context of the request that caused it. Taken when the event is queued,
/// not when the row is written: a group commit writes several requests' events from a thread of its own.
/// </summary>
public readonly record struct OutboxEntry(IntegrationEvent Event, string? TraceParent, string? TraceState)
{
    /// <summary><paramref name="e"/> in the trace of the current span (none outside one).</summary>
    public static OutboxEntry InCurrentTrace(IntegrationEvent e)
    {
        var (parent, state) = MessagingTrace.Current();
        return new OutboxEntry(e, parent, state);
    }
}
