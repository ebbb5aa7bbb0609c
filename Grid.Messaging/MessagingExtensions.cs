using Grid.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The messaging building block of every publishing service: the outbox relay into RabbitMQ (after the subscription
/// list is declared), MassTransit with the service's consumers, and the guards that restart a hung bus.
/// </summary>
public static class MessagingExtensions
{
    /// <summary>
    /// Outbox, relay, topology and bus over the database named <paramref name="connectionName"/>, on the broker of
    /// <c>ConnectionStrings:messaging</c>. Events enter the outbox with <see cref="Outbox.AddAsync"/> in the transaction of
    /// the change they announce. A service that registers <see cref="OutboxDataSource"/> itself keeps its own data source.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, string connectionName, Action<MessagingBuilder>? configure = null)
    {
        var m = new MessagingBuilder { ConnectionName = connectionName };
        configure?.Invoke(m);
        return builder.AddMessaging(m);
    }

    /// <summary><see cref="AddMessaging(IHostApplicationBuilder, string, Action{MessagingBuilder}?)"/> with a builder already filled in.</summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, MessagingBuilder m)
    {
        var services = builder.Services;
        var cs = builder.Configuration.GetConnectionString(m.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{m.ConnectionName} is not configured.");
        var amqp = builder.Configuration.GetConnectionString(m.MessagingConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{m.MessagingConnectionName} is not configured.");

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new MessagingSettings
        {
            AmqpUri = amqp,
            DeclareTopology = m.DeclareTopology,
            RelayBatchSize = m.RelayBatchSize,
            RelayPollInterval = m.RelayPollInterval,
            PublishTimeout = m.PublishTimeout,
            WatchdogInterval = m.WatchdogInterval,
            WatchedQueues = [.. m.Endpoints.Keys],
        });
        services.TryAddSingleton<OutboxSignal>();
        // The service's own pool when it registered one (Aspire's PostgreSQL client), else one for the outbox.
        services.TryAddSingleton(sp => new OutboxDataSource(sp.GetService<NpgsqlDataSource>() ?? NpgsqlDataSource.Create(cs)));
        foreach (var s in m.Subscriptions)
        {
            services.AddSingleton(s);
        }

        // Order matters: the tables exist before the bus consumes and the relay publishes.
        if (m.CreateSchema)
        {
            services.AddHostedService<MessagingSchemaInitializer>();
        }

        services.AddSingleton<TopologyDeclarer>();
        services.AddHostedService(sp => sp.GetRequiredService<TopologyDeclarer>());
        services.AddSingleton<DeliveryCounter>();
        services.AddGridBus(amqp, x =>
        {
            foreach (var type in m.Endpoints.Values.SelectMany(t => t).Concat(m.InstanceConsumers).Distinct())
            {
                x.AddConsumer(type);
            }
        }, (ctx, cfg) =>
        {
            cfg.ConnectReceiveObserver(ctx.GetRequiredService<DeliveryCounter>());
            foreach (var (queue, consumers) in m.Endpoints)
            {
                cfg.ReceiveEndpoint(queue, e =>
                {
                    // Transient failures (a concurrent redelivery, a dropped connection) are retried; the inbox makes that safe.
                    e.UseMessageRetry(r => r.Intervals(100, 500, 2000, 5000));
                    if (m.PrefetchCount is { } prefetch)
                    {
                        e.PrefetchCount = prefetch;
                    }

                    foreach (var c in consumers)
                    {
                        e.ConfigureConsumer(ctx, c);
                    }
                });
            }

            if (m.InstanceConsumers.Count > 0)
            {
                cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), DefaultEndpointNameFormatter.Instance, e =>
                {
                    foreach (var c in m.InstanceConsumers)
                    {
                        e.ConfigureConsumer(ctx, c);
                    }
                });
            }
        });

        // The bus starts once the broker answers (BusStarter), not with the host.
        services.RemoveMassTransitHostedService();
        services.AddHostedService<BusStarter>();

        // After the bus: hosted services stop in reverse order, so the relay stops before the bus does.
        services.AddSingleton<BusRestarter>();
        services.AddHealthChecks().AddCheck<BusHealthCheck>("bus", tags: ["live"]);
        services.AddSingleton<OutboxPublisher>();
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        services.AddHostedService<ConsumerWatchdog>();
        return builder;
    }
}

/// <summary>Settings of <see cref="MessagingExtensions.AddMessaging(IHostApplicationBuilder, string, Action{MessagingBuilder}?)"/>.</summary>
public class MessagingBuilder
{
    public string ConnectionName { get; set; } = "";

    public string MessagingConnectionName { get; set; } = "messaging";

    /// <summary>Create the outbox and inbox tables at start (a service that creates them with its own schema turns this off).</summary>
    public bool CreateSchema { get; set; } = true;

    public bool DeclareTopology { get; set; } = true;

    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int RelayBatchSize { get; set; } = MessagingSettings.DefaultRelayBatchSize;

    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the consumer watchdog looks at this service's queues; zero turns it off.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many unacknowledged messages each of the service's queues may hold in this process (the broker's
    /// prefetch); null leaves MassTransit's default. A consumer that writes in groups needs many in hand.
    /// </summary>
    public int? PrefetchCount { get; set; }

    internal Dictionary<string, List<Type>> Endpoints { get; } = new(StringComparer.Ordinal);

    internal List<Subscription> Subscriptions { get; } = [];

    internal List<Type> InstanceConsumers { get; } = [];

    /// <summary>Consumes on <paramref name="queue"/> (declare the queue's bindings in CaseworkTopology or with <see cref="Subscribe"/>).</summary>
    public MessagingBuilder AddConsumer<TConsumer>(string queue)
        where TConsumer : class, IConsumer
    {
        if (!Endpoints.TryGetValue(queue, out var list))
        {
            Endpoints[queue] = list = [];
        }

        list.Add(typeof(TConsumer));
        return this;
    }

    /// <summary>
    /// Consumes on a queue of this instance alone (auto-deleted when it stops): for events every replica must
    /// see, like a grid change that invalidates caches, rather than one replica of many.
    /// </summary>
    public MessagingBuilder AddInstanceConsumer<TConsumer>()
        where TConsumer : class, IConsumer
    {
        InstanceConsumers.Add(typeof(TConsumer));
        return this;
    }

    /// <summary>An extra subscriber queue to declare before publishing (beyond CaseworkTopology.Subscriptions).</summary>
    public MessagingBuilder Subscribe(string queue, params Type[] events)
    {
        Subscriptions.Add(new Subscription(queue, events));
        return this;
    }
}

/// <summary>Creates the outbox and inbox tables at start, retrying while the database comes up.</summary>
internal sealed class MessagingSchemaInitializer(OutboxDataSource db, ILogger<MessagingSchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MessagingSchema.EnsureAsync(db.DataSource, cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (attempt < 30)
            {
                logger.LogWarning("Database not ready for the outbox ({Error}); retrying", ex.Message);
                await Task.Delay(1000, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
