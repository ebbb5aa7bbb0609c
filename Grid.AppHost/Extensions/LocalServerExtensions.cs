using Grid.Casework.Infrastructure;
using Grid.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.AppHost.Extensions;

/// <summary>
/// PostgreSQL+PostGIS, RabbitMQ and Redis as executable resources (no containers here): started as Grid.LocalServers
/// defines them, data under the run's state directory, a health check each, and connection strings that
/// <c>WithReference</c> passes as <c>ConnectionStrings__name</c>.
/// </summary>
public static class LocalServerExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name,
        string dataRoot, int port, bool durable = true)
    {
        var command = PostgresServer.Command(dataRoot, port, durable);
        var server = new LocalPostgresResource(name, command.FileName, dataRoot, port);
        builder.Services.AddHealthChecks().AddPromptCheck($"{name}-ready", ct => PostgresServer.IsReadyAsync(server.AdminConnectionString("postgres"), ct));
        return builder.AddResource(server)
            .WithArgs([.. command.Args])
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithHealthCheck($"{name}-ready")
            .OnBeforeResourceStarted((r, _, ct) => PostgresServer.InitializeAsync(dataRoot, ct, passwords: true))
            // Databases once the server answers, as Aspire's own PostgreSQL integration creates them; each runs (and is
            // healthy once its service's role can connect) only when provisioned, so a service that waits for its
            // database starts on a provisioned one. In the background, in the order the services were added: the
            // server's readiness does not wait for all seven, so the first service starts on its own database at once.
            .OnResourceReady((r, e, ct) =>
            {
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                _ = Task.Run(() => ProvisionAllAsync(r, e.Services, stopping), CancellationToken.None);
                return Task.CompletedTask;
            });
    }

    private static async Task ProvisionAllAsync(LocalPostgresResource server, IServiceProvider services, CancellationToken ct)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        foreach (var db in server.Databases)
        {
            try
            {
                await ProvisionAsync(db, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // In the background nobody awaits this: an error not caught here (a timeout's cancellation included) would
                // leave the database waiting for ever.
                // Its service never starts; the run fails naming the database and why (never a statement).
                services.GetRequiredService<ResourceLoggerService>().GetLogger(db)
                    .LogError("Provisioning {Database} failed: {Error}", db.DatabaseName, ex.Message);
                await notifications.PublishUpdateAsync(db, s => s with { State = KnownResourceStates.FailedToStart });
                continue;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            await notifications.PublishUpdateAsync(db, s => s with { State = KnownResourceStates.Running });
        }
    }

    /// <summary>
    /// A database for one service, owned by a login role of its own (named after the service, its password a
    /// generated secret); with <paramref name="auditTrail"/>, Casework's audit tables are provisioned in it under their
    /// own owner, so that role may only read and append to them. Healthy once that role can connect.
    /// </summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server, string name,
        string role, IResourceBuilder<ParameterResource> password, bool auditTrail)
    {
        var db = new LocalPostgresDatabaseResource(name, name, server.Resource, role, password.Resource, auditTrail);
        server.Resource.Databases.Add(db);
        server.ApplicationBuilder.Services.AddHealthChecks().AddPromptCheck($"{name}-ready", async ct =>
        {
            try
            {
                var cs = await db.ConnectionStringExpression.GetValueAsync(ct);
                await using var conn = new Npgsql.NpgsqlConnection(cs + ";Pooling=false;Timeout=3");
                await conn.OpenAsync(ct);
                return true;
            }
            catch (Npgsql.NpgsqlException)
            {
                return false;
            }
        });
        return server.ApplicationBuilder.AddResource(db).WithHealthCheck($"{name}-ready")
            .WithInitialState(new() { ResourceType = "PostgresDatabase", State = KnownResourceStates.Waiting, Properties = [] });
    }

    /// <summary>Run at every start, as the superuser: each step leaves what is already in place as it is.</summary>
    private static async Task ProvisionAsync(LocalPostgresDatabaseResource db, CancellationToken ct)
    {
        var owner = new DatabaseOwner(db.Role, await db.Password.GetValueAsync(ct) ?? throw new InvalidOperationException($"{db.Password.Name} has no value"));
        await PostgresServer.EnsureDatabaseAsync(db.Parent.AdminConnectionString, db.DatabaseName, owner, ct);
        if (db.AuditTrail)
        {
            await using var admin = new Npgsql.NpgsqlConnection(db.Parent.AdminConnectionString(db.DatabaseName));
            await admin.OpenAsync(ct);
            await CaseworkAuditSchema.ProvisionAsync(admin, db.Role, ct);
        }
    }

    /// <summary>A RabbitMQ node with its management plugin, and its own epmd as a resource of its own.</summary>
    public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMq(this IDistributedApplicationBuilder builder, string name,
        string dataRoot, int port, int managementPort, int epmdPort, int distributionPort)
    {
        var epmdCommand = RabbitMqServer.EpmdCommand(dataRoot, epmdPort);
        builder.Services.AddHealthChecks().AddPromptCheck($"{name}-epmd-ready", _ => Task.FromResult(FreePort.IsListening(epmdPort)));
        var epmd = builder.AddExecutable($"{name}-epmd", epmdCommand.FileName, dataRoot, [.. epmdCommand.Args])
            .WithEnvironment(e => Copy(epmdCommand, e))
            .WithHealthCheck($"{name}-epmd-ready")
            .OnBeforeResourceStarted((_, _, _) => Task.FromResult(Directory.CreateDirectory(dataRoot)));

        var command = RabbitMqServer.Command(dataRoot, name, port, epmdPort, distributionPort);
        builder.Services.AddHealthChecks().AddPromptCheck($"{name}-ready", ct => RabbitMqServer.IsReadyAsync(managementPort, ct));
        var server = builder.AddResource(new LocalRabbitMqResource(name, command.FileName, dataRoot, port))
            .WithArgs([.. command.Args])
            .WithEnvironment(e => Copy(command, e))
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "amqp", isProxied: false)
            .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: "management", isProxied: false)
            .WithHealthCheck($"{name}-ready")
            .OnBeforeResourceStarted((_, _, ct) => RabbitMqServer.InitializeAsync(dataRoot, port, managementPort, ct))
            .WaitFor(epmd);
        epmd.WithParentRelationship(server);
        return server;
    }

    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name,
        string dataRoot, int port, bool durable = true)
    {
        var command = RedisServer.Command(dataRoot, port, durable);
        builder.Services.AddHealthChecks().AddPromptCheck($"{name}-ready", ct => RedisServer.PingAsync(port, ct));
        return builder.AddResource(new LocalRedisResource(name, command.FileName, dataRoot, port))
            .WithArgs([.. command.Args])
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithHealthCheck($"{name}-ready");
    }

    private static void Copy(ServerCommand command, EnvironmentCallbackContext e)
    {
        foreach (var (k, v) in command.Environment)
        {
            e.EnvironmentVariables[k] = v;
        }
    }
}

public sealed class LocalPostgresResource(string name, string command, string dataRoot, int port)
    : ExecutableResource(name, command, dataRoot), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public List<LocalPostgresDatabaseResource> Databases { get; } = [];

    /// <summary>The superuser's, through the server's socket: over TCP every role needs its password and it has none.</summary>
    public string AdminConnectionString(string database) => PostgresServer.AdminConnectionString(WorkingDirectory, Port, database);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{AdminConnectionString("postgres")}");
}

/// <summary>A service's database and the role the service connects as (<see cref="LocalServerExtensions.AddDatabase"/>).</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent, string role,
    ParameterResource password, bool auditTrail)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public LocalPostgresResource Parent { get; } = parent;

    public string Role { get; } = role;

    public ParameterResource Password { get; } = password;

    public bool AuditTrail { get; } = auditTrail;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PostgresServer.ConnectionString(Parent.Port, DatabaseName, user: Role)};Password={Password}");
}

public sealed class LocalRabbitMqResource(string name, string command, string dataRoot, int port)
    : ExecutableResource(name, command, dataRoot), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{RabbitMqServer.ConnectionString(Port)}");
}

public sealed class LocalRedisResource(string name, string command, string dataRoot, int port)
    : ExecutableResource(name, command, dataRoot), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{RedisServer.ConnectionString(Port)}");
}
