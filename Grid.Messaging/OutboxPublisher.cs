using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Grid.Messaging;

/// <summary>
/// 发件箱发布: puts stored outbox rows on the broker as they are, in MassTransit's JSON envelope, so every MassTransit
/// consumer reads them as if the bus had sent them. The payload is not read back into an object and written again,
/// which held the relay to about half of what the broker takes. Publishes go over a few confirm channels with the
/// <c>mandatory</c> flag; a row's partition picks its channel, so one case's events share a channel and keep their order.
/// </summary>
public sealed class OutboxPublisher(MessagingSettings settings, ILogger<OutboxPublisher> logger) : IAsyncDisposable
{
    private const string ContentType = "application/vnd.masstransit+json";

    private static readonly ConcurrentDictionary<Type, string[]> MessageTypes = new();
    private static readonly JsonEncodedText[] Names = [.. new[]
    {
        "messageId", "correlationId", "conversationId", "sourceAddress", "destinationAddress", "messageType", "message", "sentTime", "headers", "host",
    }.Select(n => JsonEncodedText.Encode(n))];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Uri _broker = new(settings.AmqpUri);
    private readonly string _host = Environment.MachineName;
    private readonly string _process = Environment.ProcessPath is { } p ? Path.GetFileNameWithoutExtension(p) : "dotnet";
    private readonly ConcurrentDictionary<string, string> _destinations = new();
    private readonly string _source = Address(new Uri(settings.AmqpUri), "outbox-relay");
    private IConnection? _connection;
    private IChannel[] _channels = [];

    // Exchanges declared on the current connection, as MassTransit declares a message type's exchange before its first
    // publish; with nobody bound to it yet, the publish then comes back instead of closing the channel.
    private ConcurrentDictionary<string, Task> _declared = new();

    /// <summary>How many channels publish side by side.</summary>
    public int Partitions { get; } = Math.Max(1, settings.RelayChannels);

    /// <summary>Opens the connection and its channels unless they are open; a broken set is replaced.</summary>
    public async Task<IReadOnlyList<IChannel>> ChannelsAsync(CancellationToken ct)
    {
        var channels = _channels;
        if (_connection is { IsOpen: true } && channels.All(c => c.IsOpen))
        {
            return channels;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_connection is { IsOpen: true } && _channels.All(c => c.IsOpen))
            {
                return _channels;
            }

            await CloseAsync();
            var factory = new ConnectionFactory
            {
                Uri = _broker,
                ClientProvidedName = "outbox-relay",
                // A broken connection is replaced by the next batch, not recovered underneath a publish.
                AutomaticRecoveryEnabled = false,
            };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(settings.BrokerCallTimeout);
            var connection = await factory.CreateConnectionAsync(deadline.Token);
            var opened = new IChannel[Partitions];
            for (var i = 0; i < opened.Length; i++)
            {
                opened[i] = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), deadline.Token);
            }

            (_connection, _channels, _declared) = (connection, opened, new());
            return opened;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Publishes one row on <paramref name="channel"/> and returns once the broker confirmed it was routed.</summary>
    /// <exception cref="InvalidOperationException">The broker returned it: no queue is bound to its exchange.</exception>
    /// <param name="traceParent">The W3C trace context the consumer continues (the relay's span for the row, else the row's own).</param>
    public async Task PublishAsync(IChannel channel, Type type, Guid eventId, string payload, string? traceParent, string? traceState, CancellationToken ct)
    {
        var exchange = EventTypes.ExchangeName(type);
        var props = new BasicProperties
        {
            Persistent = true,
            ContentType = ContentType,
            MessageId = eventId.ToString(),
            CorrelationId = eventId.ToString(),
        };

        // MassTransit's consumer starts its span under the context in MT-Activity-Id; traceparent is the W3C name others read.
        if (traceParent is not null)
        {
            props.Headers = new Dictionary<string, object?> { ["MT-Activity-Id"] = traceParent, ["traceparent"] = traceParent };
            if (traceState is not null)
            {
                props.Headers["tracestate"] = traceState;
            }
        }

        var declared = _declared;
        var declare = declared.GetOrAdd(exchange, e => channel.ExchangeDeclareAsync(e, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct));
        try
        {
            await declare;
        }
        catch
        {
            declared.TryRemove(new KeyValuePair<string, Task>(exchange, declare));
            throw;
        }

        var body = Envelope(type, exchange, eventId, payload);
        try
        {
            await channel.BasicPublishAsync(exchange, "", mandatory: true, props, body, ct);
        }
        catch (PublishReturnException e)
        {
            throw new InvalidOperationException($"returned by the broker ({e.ReplyCode} {e.ReplyText}): no queue is bound to {exchange}");
        }
    }

    /// <summary>Drops the connection after a failed publish, so the next batch starts on a fresh one.</summary>
    public async Task ResetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await CloseAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync() => await ResetAsync();

    private async Task CloseAsync()
    {
        var (connection, channels) = (_connection, _channels);
        (_connection, _channels) = (null, []);
        if (connection is null)
        {
            return;
        }

        try
        {
            // A connection to a broker that went away may never answer its close; it is abandoned after the deadline.
            await Task.WhenAll(channels.Select(c => c.DisposeAsync().AsTask()).Append(connection.DisposeAsync().AsTask()))
                .WaitAsync(settings.BrokerCallTimeout);
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Outbox publisher's old connection did not close cleanly");
        }
    }

    private ReadOnlyMemory<byte> Envelope(Type type, string exchange, Guid eventId, string payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 768);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString(Names[0], eventId);
            w.WriteString(Names[1], eventId);
            w.WriteString(Names[2], Guid.NewGuid());
            w.WriteString(Names[3], _source);
            w.WriteString(Names[4], _destinations.GetOrAdd(exchange, static (e, broker) => Address(broker, e), _broker));
            w.WriteStartArray(Names[5]);
            foreach (var urn in MessageTypes.GetOrAdd(type, Urns))
            {
                w.WriteStringValue(urn);
            }

            w.WriteEndArray();
            w.WritePropertyName(Names[6]);
            w.WriteRawValue(payload, skipInputValidation: true);
            w.WriteString(Names[7], DateTime.UtcNow);
            w.WriteStartObject(Names[8]);
            w.WriteEndObject();
            w.WriteStartObject(Names[9]);
            w.WriteString("machineName", _host);
            w.WriteString("processName", _process);
            w.WriteNumber("processId", Environment.ProcessId);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>An address on this broker, as MassTransit writes them into the envelope.</summary>
    private static string Address(Uri broker, string name) => $"{broker.Scheme}://{broker.Authority}{broker.AbsolutePath.TrimEnd('/')}/{name}";

    /// <summary>The type and its base records, as MassTransit names them: a consumer of any of them receives the event.</summary>
    private static string[] Urns(Type type)
    {
        var urns = new List<string>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            urns.Add($"urn:message:{t.Namespace}:{t.Name}");
        }

        return [.. urns];
    }
}
