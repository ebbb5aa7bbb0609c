using Npgsql;
using NpgsqlTypes;

namespace Grid.Messaging;

/// <summary>
/// 收件箱: <c>casework.inbox</c> records which consumer handled which event, in the transaction of the consumer's effect,
/// so a redelivered event is recognised and skipped.
/// </summary>
public static class Inbox
{
    /// <summary>
    /// Records that <paramref name="consumer"/> handled <paramref name="eventIds"/>; returns those marked now (an EventId
    /// handled before, or twice in the list, is returned at most once). The caller does nothing for the others.
    /// </summary>
    public static async Task<HashSet<Guid>> TryMarkHandledAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyCollection<Guid> eventIds, string consumer, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO casework.inbox (event_id, consumer) SELECT unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING RETURNING event_id", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = eventIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = consumer, NpgsqlDbType = NpgsqlDbType.Text });
        var marked = new HashSet<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            marked.Add(reader.GetGuid(0));
        }

        return marked;
    }
}
