using System.Data.Common;
using Grid.Casework;
using Grid.Casework.Apis;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Casework.IntegrationEvents;
using Grid.Casework.Messaging;
using Grid.Contracts.Organization.V1;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Wiring of the shared case life cycle. A domain service needs two lines:
/// <c>builder.AddCasework(Domains.Fire);</c> and <c>app.MapCaseworkApi();</c>.
/// </summary>
public static class CaseworkExtensions
{
    /// <summary>
    /// The whole life cycle for <paramref name="domain"/>: schema creation at start, case service, grid
    /// directory (organization gRPC), deadline scheduler, outbox relay, inbox, MassTransit bus on RabbitMQ
    /// with the transfer consumers on queue "&lt;domain&gt;-casework".
    /// </summary>
    /// <summary>
    /// The organization service's gRPC client (with this service's own token) and the department directory over it;
    /// the one client every service uses to ask the organization about grids and departments.
    /// </summary>
    public static IServiceCollection AddOrganizationDirectory(this IServiceCollection services, string address)
    {
        if (!services.Any(d => d.ServiceType == typeof(Organization.OrganizationClient)))
        {
            services.AddGrpcClient<Organization.OrganizationClient>(o => o.Address = new Uri(address)).AddServiceToken();
        }

        services.TryAddSingleton<IDepartmentDirectory, GrpcDepartmentDirectory>();
        return services;
    }

    public static IHostApplicationBuilder AddCasework(this IHostApplicationBuilder builder, string domain, Action<CaseworkOptions>? configure = null)
    {
        var options = new CaseworkOptions();
        builder.Configuration.GetSection("Casework").Bind(options);
        options.Domain = domain.ToLowerInvariant();
        configure?.Invoke(options);
        options.OrganizationAddress ??= builder.Required("services:organization:grpc:0", "http://127.0.0.1:5102")!;

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(new CaseRoles(options.Roles));
        services.AddSingleton(new DeadlinePolicy(options.Deadlines));
        services.AddSingleton<ReporterVault>();
        // The configured string, not the data source's: that one leaves out the password.
        services.AddSingleton(_ => new CaseNumberBlocks(builder.Configuration.GetConnectionString(options.Connection)
            ?? throw new InvalidOperationException($"ConnectionStrings:{options.Connection} is not configured."), options.CaseNumberBlock));
        services.AddSingleton<CaseService>();
        services.TryAddSingleton<ICaseworkHooks, NoCaseworkHooks>();
        services.AddOrganizationDirectory(options.OrganizationAddress);
        services.TryAddSingleton<IGridDirectory, GrpcGridDirectory>();
        services.AddSingleton<DeadlineScheduler>();
        if (options.SchedulerEnabled)
        {
            services.AddHostedService(sp => sp.GetRequiredService<DeadlineScheduler>());
        }

        builder.AddCaseworkMessaging(options.Connection, m =>
        {
            m.MessagingConnectionName = options.MessagingConnectionName;
            m.CreateCaseTables = true;
            m.DeclareTopology = options.DeclareTopology;
            m.RelayPollInterval = options.RelayPollInterval;
            m.RelayBatchSize = options.RelayBatchSize;
            m.PublishTimeout = options.PublishTimeout;
            m.WatchdogInterval = options.WatchdogInterval;
            var queue = CaseworkTopology.CaseworkQueue(options.Domain);
            m.AddConsumer<TransferRequestedConsumer>(queue);
            m.AddConsumer<TransferAcceptedConsumer>(queue);
            m.AddConsumer<TransferResultConsumer>(queue);
            m.AddInstanceConsumer<GridChangedConsumer>();
            options.ConfigureMessaging?.Invoke(m);
        });
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<AuditSealer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditSealer>());
        return builder;
    }

    /// <summary>Replaces the domain hooks (category validation, on-closed callbacks ...).</summary>
    public static IServiceCollection AddCaseworkHooks<THooks>(this IServiceCollection services)
        where THooks : class, ICaseworkHooks
    {
        services.RemoveAll<ICaseworkHooks>();
        services.AddSingleton<ICaseworkHooks, THooks>();
        return services;
    }

    /// <summary>
    /// Only the messaging part (outbox, relay, inbox, MassTransit on RabbitMQ) over the database named
    /// <paramref name="connectionName"/> — for services with consumers but no cases, like the command centre.
    /// Consumers derive from <see cref="IdempotentConsumer{TEvent}"/> and are added with
    /// <see cref="CaseworkMessagingBuilder.AddConsumer{TConsumer}"/>.
    /// </summary>
    public static IHostApplicationBuilder AddCaseworkMessaging(this IHostApplicationBuilder builder, string connectionName, Action<CaseworkMessagingBuilder>? configure = null)
    {
        var m = new CaseworkMessagingBuilder { ConnectionName = connectionName };
        configure?.Invoke(m);
        var services = builder.Services;
        var cs = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");
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
        services.AddSingleton<OutboxSignal>();
        var audit = AuditChainOf(builder, m.CreateCaseTables);
        services.AddSingleton(sp => new CaseworkDatabase(NpgsqlDataSource.Create(ForCasework(cs)), sp.GetRequiredService<OutboxSignal>(), sp.GetRequiredService<TimeProvider>(), audit));
        foreach (var s in m.Subscriptions)
        {
            services.AddSingleton(s);
        }

        // Order matters: the schema exists before the bus consumes and the relay publishes.
        services.AddHostedService(sp => new SchemaInitializer(sp.GetRequiredService<CaseworkDatabase>(), m.CreateCaseTables, sp.GetRequiredService<ILogger<SchemaInitializer>>()));
        services.AddHostedService<AuditChainer>();
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

        // After the bus: hosted services stop in reverse order, so the relay stops before the bus does.
        services.AddSingleton<BusRestarter>();
        services.AddHealthChecks().AddCheck<BusHealthCheck>("bus", tags: ["live"]);
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        services.AddHostedService<ConsumerWatchdog>();
        return builder;
    }

    /// <summary>
    /// The same few statements run for every case and every event (the read model's upsert alone took 0.12 ms of
    /// PostgreSQL's planning each time), so Npgsql prepares those it sees repeat, unless the connection string
    /// says otherwise. A connection back in the pool is not reset either: casework leaves no session state behind
    /// (its locks are transaction-level; a domain's rows go through the same transactions), and with prepared
    /// statements the reset is seven statements ahead of the next use: a tenth of PostgreSQL's statement time
    /// at case intake.
    /// </summary>

    /// <summary>
    /// The audit chain's key from <c>Casework:AuditKey</c>. A service with cases refuses to start in Production without
    /// one; elsewhere (a developer's machine, tests) a random key of this process stands in, and the chain it writes does
    /// not verify after a restart.
    /// </summary>
    private static AuditChain AuditChainOf(IHostApplicationBuilder builder, bool keepsCases)
    {
        if (builder.Configuration["Casework:AuditKey"] is { Length: > 0 } configured)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(configured);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("Casework:AuditKey must be base64 of at least 32 random bytes.");
            }

            return key.Length >= 32 ? new AuditChain(key) : throw new InvalidOperationException("Casework:AuditKey must be base64 of at least 32 random bytes.");
        }

        if (keepsCases && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException("Casework:AuditKey is not configured: the audit chain needs a key kept outside the database (base64 of 32 random bytes).");
        }

        return new AuditChain(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) { Ephemeral = true };
    }

    private static string ForCasework(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (b.MaxAutoPrepare == 0)
        {
            b.MaxAutoPrepare = 64;
            b.AutoPrepareMinUsages = 3;
        }

        // Unless the connection string sets it itself, in either spelling Npgsql accepts.
        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>();
        if (!keys.Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("NoResetOnClose", StringComparison.OrdinalIgnoreCase)))
        {
            b.NoResetOnClose = true;
        }

        return b.ConnectionString;
    }
}

/// <summary>Settings of <see cref="CaseworkExtensions.AddCaseworkMessaging"/>.</summary>
public sealed class CaseworkMessagingBuilder
{
    public string ConnectionName { get; set; } = "";

    public string MessagingConnectionName { get; set; } = "messaging";

    /// <summary>Create the case tables too (AddCasework does), not only outbox, inbox and audit.</summary>
    public bool CreateCaseTables { get; set; }

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

    /// <summary>Consumes on <paramref name="queue"/> (declare the queue's bindings in CaseworkTopology or with <see cref="Subscribe"/>).</summary>
    public CaseworkMessagingBuilder AddConsumer<TConsumer>(string queue)
        where TConsumer : class, IConsumer
    {
        if (!Endpoints.TryGetValue(queue, out var list))
        {
            Endpoints[queue] = list = [];
        }

        list.Add(typeof(TConsumer));
        return this;
    }

    internal List<Type> InstanceConsumers { get; } = [];

    /// <summary>
    /// Consumes on a queue of this instance alone (auto-deleted when it stops): for events every replica must
    /// see, like a grid change that invalidates caches, rather than one replica of many.
    /// </summary>
    public CaseworkMessagingBuilder AddInstanceConsumer<TConsumer>()
        where TConsumer : class, IConsumer
    {
        InstanceConsumers.Add(typeof(TConsumer));
        return this;
    }

    /// <summary>An extra subscriber queue to declare before publishing (beyond CaseworkTopology.Subscriptions).</summary>
    public CaseworkMessagingBuilder Subscribe(string queue, params Type[] events)
    {
        Subscriptions.Add(new Subscription(queue, events));
        return this;
    }
}

/// <summary>Creates the casework schema at start, retrying while the database comes up.</summary>
internal sealed class SchemaInitializer(CaseworkDatabase db, bool cases, ILogger<SchemaInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CaseworkSchema.EnsureAsync(db.DataSource, cases, cancellationToken);
                if (cases && db.Audit is { Ephemeral: true })
                {
                    logger.LogWarning("Casework:AuditKey is not configured: the audit chain is keyed with a key of this process only and will not verify after a restart");
                }

                if (await CaseworkAuditSchema.EnsureAsync(db.DataSource, cancellationToken) is { } role)
                {
                    logger.LogWarning(
                        "The audit trail is guarded by a trigger only: this service's database role {Role} may alter or drop its tables. " +
                        "Provision them under their own owner (CaseworkAuditSchema.ProvisionAsync; deploy/README.md)", role);
                }

                return;
            }
            catch (NpgsqlException ex) when (attempt < 30)
            {
                logger.LogWarning("Database not ready for the casework schema ({Error}); retrying", ex.Message);
                await Task.Delay(1000, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
