using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// Outgoing integration events, written in the same transaction as the change they announce
/// (docs/architecture.md); <see cref="IntegrationEvents.OutboxRelay"/> publishes them.
/// </summary>
public static class Outbox
{
    public static Task AddAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IntegrationEvent e) =>
        conn.ExecuteAsync(
            "INSERT INTO outbox (event_id, event_type, payload) VALUES (@EventId, @Type, @Payload::jsonb)",
            new { e.EventId, Type = e.GetType().Name, Payload = JsonSerializer.Serialize(e, e.GetType()) },
            tx);
}
