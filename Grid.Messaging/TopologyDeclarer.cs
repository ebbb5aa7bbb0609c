using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Grid.Messaging;

/// <summary>
/// Declares every subscriber's queue and bindings (<see cref="CaseworkTopology"/> plus any extra
/// <see cref="Subscription"/> registered in DI) on the broker before the relay publishes anything, so no
/// event goes into an exchange nobody is bound to yet. Retries until the broker answers.
/// </summary>
public sealed class TopologyDeclarer(MessagingSettings settings, IEnumerable<Subscription> extra, ILogger<TopologyDeclarer> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the topology exists (the relay waits for it).</summary>
    public Task Ready => _ready.Task;

    public static async Task DeclareAsync(string amqpUri, IEnumerable<Subscription> subscriptions, CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = new Uri(amqpUri), ClientProvidedName = "casework-topology" };
        await using var conn = await factory.CreateConnectionAsync(ct);
        await using var ch = await conn.CreateChannelAsync(cancellationToken: ct);
        foreach (var s in subscriptions)
        {
            await ch.QueueDeclareAsync(s.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await ch.ExchangeDeclareAsync(s.Queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            await ch.QueueBindAsync(s.Queue, s.Queue, "", cancellationToken: ct);
            foreach (var t in s.Events)
            {
                var exchange = EventTypes.ExchangeName(t);
                await ch.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
                await ch.ExchangeBindAsync(s.Queue, exchange, "", cancellationToken: ct);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.DeclareTopology)
        {
            _ready.TrySetResult();
            return;
        }

        var all = CaseworkTopology.Subscriptions.Concat(extra).ToList();
        var delay = TimeSpan.FromMilliseconds(200);
        var warned = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A broker killed in the middle of a declaration can leave a RabbitMQ.Client call waiting for ever
                // (and the relay waits for this): each attempt gets a deadline, after which it is abandoned.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                attempt.CancelAfter(settings.BrokerCallTimeout);
                await DeclareAsync(settings.AmqpUri, all, attempt.Token).WaitAsync(settings.BrokerCallTimeout, stoppingToken);
                logger.LogInformation("Declared {Count} subscriber queues and their bindings", all.Count);
                _ready.TrySetResult();
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Tried every second while the broker is away, said every 30 s: six services would otherwise fill the logs.
                if (DateTime.UtcNow - warned >= TimeSpan.FromSeconds(30))
                {
                    logger.LogWarning("Broker not ready for topology declaration ({Error}); retrying every second", ex.Message);
                    warned = DateTime.UtcNow;
                }

                await Task.Delay(delay, stoppingToken);
                // At most a second apart: the bus waits for this too (BusStarter), and a broker on the way up answers soon.
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            }
        }
    }
}

/// <summary>Where and how this service talks to the broker.</summary>
public sealed class MessagingSettings
{
    public string AmqpUri { get; set; } = "";

    public bool DeclareTopology { get; set; } = true;

    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Outbox rows a relay poll publishes together: 1,000 rather than 500 gave 15–20 % more events/s (bench/casework),
    /// the wait for a batch's last confirm spread over twice the events.</summary>
    public const int DefaultRelayBatchSize = 1000;

    public int RelayBatchSize { get; set; } = DefaultRelayBatchSize;

    /// <summary>How long a sequence number missing below published ones holds the relay's floor (see <see cref="OutboxFloor"/>).</summary>
    public TimeSpan RelayGapTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the relay polls the whole outbox, for a row that committed later than the gap timeout.</summary>
    public TimeSpan RelayFullPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Confirm channels the relay publishes on side by side (one case's events always on the same one).</summary>
    public int RelayChannels { get; set; } = 4;

    /// <summary>How often <see cref="ConsumerWatchdog"/> looks at <see cref="WatchedQueues"/>; zero turns it off.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one declaration attempt or one watchdog look may take before it is abandoned.</summary>
    public TimeSpan BrokerCallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long <see cref="BusRestarter"/> waits for the bus to stop before the process is judged beyond repair.</summary>
    public TimeSpan BusStopTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The queues this service consumes, which must not be left without a consumer.</summary>
    public IReadOnlyList<string> WatchedQueues { get; set; } = [];
}
