using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using MassTransit;
using Npgsql;

namespace Grid.Organization.IntegrationEvents;

/// <summary>
/// Publishes outbox rows through MassTransit (RabbitMQ, publisher confirms) in order, marking each published in
/// the same transaction that locked it; a crash before the mark means a redelivery, which consumers dedupe by EventId.
/// </summary>
public sealed class OutboxRelay(NpgsqlDataSource db, IBus bus, ILogger<OutboxRelay> logger) : BackgroundService
{
    private static readonly Dictionary<string, Type> Types = new() { [nameof(GridChanged)] = typeof(GridChanged) };
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var published = 0;
            try
            {
                published = await PublishBatchAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Outbox relay could not publish; retrying");
            }

            if (published == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
        }
    }

    private async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = (await conn.QueryAsync<(long Id, string EventType, string Payload)>(
            "SELECT id, event_type, payload::text FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED", transaction: tx)).AsList();
        foreach (var (id, type, payload) in rows)
        {
            if (Types.TryGetValue(type, out var t) && JsonSerializer.Deserialize(payload, t) is { } message)
            {
                // Confirmed by the broker, within a deadline a hung channel cannot ignore (the batch is then retried).
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(PublishTimeout);
                await bus.Publish(message, t, timeout.Token).WaitAsync(PublishTimeout, ct);
            }

            await conn.ExecuteAsync("UPDATE outbox SET published_at = now() WHERE id = @id", new { id }, tx);
        }

        await tx.CommitAsync(ct);
        return rows.Count;
    }
}
