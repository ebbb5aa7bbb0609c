using System.Data.Common;
using Grid.Casework;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Casework.IntegrationEvents;
using Grid.Casework.Messaging;
using Grid.Contracts.Organization.V1;
using Grid.Messaging;
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
        // A domain that brings its own grid and department directories (a configured tree) needs no organization service.
        var ownDirectories = builder.Services.Any(d => d.ServiceType == typeof(IGridDirectory))
            && builder.Services.Any(d => d.ServiceType == typeof(IDepartmentDirectory));
        options.OrganizationAddress ??= ownDirectories
            ? builder.Configuration["services:organization:grpc:0"]
            : builder.Required("services:organization:grpc:0", "http://127.0.0.1:5102")!;

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(new CaseRoles(options.Roles));
        services.AddSingleton(new DeadlinePolicy(options.Deadlines));
        services.AddSingleton<ReporterVault>();
        // The configured string, not the data source's: that one leaves out the password.
        services.AddSingleton(_ => new CaseNumberBlocks(builder.Configuration.GetConnectionString(options.Connection)
            ?? throw new InvalidOperationException($"ConnectionStrings:{options.Connection} is not configured."), options.CaseNumberBlock));
        services.AddSingleton<CaseClock>();
        services.AddSingleton<CaseAccess>();
        services.AddSingleton<CaseChanges>();
        services.AddSingleton<CaseEscalation>();
        services.AddSingleton<ReportPlacement>();
        services.AddSingleton<CaseOpener>();
        services.AddSingleton<CaseIntake>();
        services.AddSingleton<StepRequestRules>();
        services.AddSingleton<CaseStepHandler>();
        services.AddSingleton<TransferHandler>();
        services.AddSingleton<SummonsHandler>();
        services.AddSingleton<CaseReads>();
        services.AddSingleton<CaseService>();
        services.TryAddSingleton<ICaseworkHooks, NoCaseworkHooks>();
        if (options.OrganizationAddress is { Length: > 0 } organization)
        {
            services.AddOrganizationDirectory(organization);
        }

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
        var m = new CaseworkMessagingBuilder { ConnectionName = connectionName, CreateSchema = false };
        configure?.Invoke(m);
        var services = builder.Services;
        var cs = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OutboxSignal>();
        var audit = AuditChainOf(builder, m.CreateCaseTables);
        // The service's one pool (Aspire's PostgreSQL client), tuned for casework's repeated statements.
        builder.AddGridDataSource(connectionName, ForCasework);
        services.AddSingleton(sp => new CaseworkDatabase(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<OutboxSignal>(), sp.GetRequiredService<TimeProvider>(), audit));
        services.AddSingleton(sp => new OutboxDataSource(sp.GetRequiredService<CaseworkDatabase>().DataSource));

        // Order matters: the schema exists before the bus consumes and the relay publishes.
        services.AddHostedService(sp => new SchemaInitializer(sp.GetRequiredService<CaseworkDatabase>(), m.CreateCaseTables, sp.GetRequiredService<ILogger<SchemaInitializer>>()));
        services.AddHostedService<AuditChainer>();
        return builder.AddMessaging(m);
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

/// <summary>Settings of <see cref="CaseworkExtensions.AddCaseworkMessaging"/>: the messaging building block's, and the case tables.</summary>
public sealed class CaseworkMessagingBuilder : MessagingBuilder
{
    /// <summary>Create the case tables too (AddCasework does), not only outbox, inbox and audit.</summary>
    public bool CreateCaseTables { get; set; }
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
