using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Grid.Testing;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Grid.Casework.Tests;

/// <summary>
/// Reads what a subscriber would get: every message arriving on a declared queue (the command centre's
/// receives every event type), parsed from MassTransit's JSON envelope.
/// </summary>
public sealed class EventProbe : IAsyncDisposable
{
    private readonly IConnection _conn;
    private readonly IChannel _channel;

    private EventProbe(IConnection conn, IChannel channel)
    {
        _conn = conn;
        _channel = channel;
    }

    public ConcurrentQueue<(string Type, JsonElement Message, string Raw)> Received { get; } = new();

    public static async Task<EventProbe> StartAsync(string amqp, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(amqp) };
        var conn = await factory.CreateConnectionAsync();

        // The queue is declared by the service at start (or by the broker's definitions): wait for it, never declare it here.
        await Wait.UntilAsync(async () =>
        {
            await using var check = await conn.CreateChannelAsync();
            try
            {
                await check.QueueDeclarePassiveAsync(queue);
                return true;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), $"queue {queue} to be declared");

        var ch = await conn.CreateChannelAsync();
        var probe = new EventProbe(conn, ch);
        var consumer = new AsyncEventingBasicConsumer(ch);
        consumer.ReceivedAsync += async (_, ea) =>
        {
            var raw = Encoding.UTF8.GetString(ea.Body.Span);
            using var doc = JsonDocument.Parse(raw);
            var type = doc.RootElement.GetProperty("messageType")[0].GetString()!.Split(':')[^1];
            probe.Received.Enqueue((type, doc.RootElement.GetProperty("message").Clone(), raw));
            await ch.BasicAckAsync(ea.DeliveryTag, false);
        };
        await ch.BasicConsumeAsync(queue, autoAck: false, consumer);
        return probe;
    }

    public IEnumerable<JsonElement> Of(string type) => Received.Where(r => r.Type == type).Select(r => r.Message);

    public async Task<JsonElement> WaitForAsync(string type, Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        JsonElement found = default;
        await Wait.UntilAsync(() =>
        {
            var hit = Of(type).Where(match).Take(1).ToList();
            found = hit.FirstOrDefault();
            return Task.FromResult(hit.Count == 1);
        }, timeout ?? TimeSpan.FromSeconds(30), $"a matching {type}");
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _conn.CloseAsync();
        _channel.Dispose();
        _conn.Dispose();
    }
}
