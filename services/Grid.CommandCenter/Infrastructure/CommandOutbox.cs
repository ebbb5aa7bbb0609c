using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using MassTransit;
using Npgsql;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// 发件箱: events the command centre publishes itself (吹哨, 报到) are written in the same transaction as
/// the summons row, and <see cref="OutboxRelay"/> publishes them afterwards, so none is lost or half-made.
/// </summary>
public static class CommandOutbox
{
    public static Task AddAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IntegrationEvent e) =>
        conn.ExecuteAsync(
            "INSERT INTO cc_outbox (event_id, event_type, payload) VALUES (@id, @type, @payload::jsonb)",
            new { id = e.EventId, type = e.GetType().Name, payload = JsonSerializer.Serialize(e, e.GetType()) }, tx);

    internal static Type? Resolve(string name) => typeof(IntegrationEvent).Assembly.GetType($"{typeof(IntegrationEvent).Namespace}.{name}");
}

/// <summary>Publishes pending outbox rows in order; a row is marked sent only after the broker confirmed it.</summary>
public sealed class OutboxRelay(NpgsqlDataSource db, IServiceScopeFactory scopes, ILogger<OutboxRelay> logger) : BackgroundService
{
    static readonly SemaphoreSlim Signal = new(0);

    /// <summary>Wakes the relay at once instead of at its next poll.</summary>
    public static void Poke()
    {
        if (Signal.CurrentCount == 0)
        {
            Signal.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Outbox relay failed; retrying");
            }

            try
            {
                await Signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task RelayOnceAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<(long Id, string EventType, string Payload)>(
            "SELECT id, event_type, payload::text FROM cc_outbox WHERE sent_at IS NULL ORDER BY id LIMIT 100")).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        foreach (var row in rows)
        {
            var type = CommandOutbox.Resolve(row.EventType);
            if (type is null || JsonSerializer.Deserialize(row.Payload, type) is not { } message)
            {
                logger.LogError("Outbox row {Id} has unknown type {Type}; left unsent", row.Id, row.EventType);
                continue;
            }

            await publisher.Publish(message, type, ct);
            await conn.ExecuteAsync("UPDATE cc_outbox SET sent_at = now() WHERE id = @id", new { id = row.Id });
        }
    }
}
