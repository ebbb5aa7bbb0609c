using System.Text.Json;
using Grid.Contracts.Events;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Messaging;

/// <summary>
/// 发件箱: the one way an event enters <c>casework.outbox</c> (the schema keeps the name it was first created under), in the transaction of the change it announces.
/// <see cref="OutboxRelay"/> publishes the rows. Case changes queue events on their <c>CaseworkTransaction</c>;
/// a service writing its own state in its own transaction (the organization's grid writes) calls <see cref="AddAsync"/>.
/// </summary>
public static class Outbox
{
    /// <summary>The serializer of outbox payloads, which the relay reads back with the same options.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="events"/> within <paramref name="tx"/>; they go out once it commits.</summary>
    public static async Task AddAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<IntegrationEvent> events, CancellationToken ct = default)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(InsertCommand(events));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One multi-row insert of <paramref name="events"/>, for a batch that commits with other statements.</summary>
    public static NpgsqlBatchCommand InsertCommand(IReadOnlyList<IntegrationEvent> events)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO casework.outbox (event_id, event_type, case_id, payload)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[])
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.EventId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.GetType().Name).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            // The relay keeps one case's events in order and publishes different cases side by side.
            Value = events.Select(e => e is CaseEvent c && c.CaseId != Guid.Empty ? (Guid?)c.CaseId : null).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid,
        });
        cmd.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => JsonSerializer.Serialize(e, e.GetType(), Json)).ToArray() });
        return cmd;
    }
}
