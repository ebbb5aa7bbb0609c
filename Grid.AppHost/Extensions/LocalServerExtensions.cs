using Grid.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}-ready", async ct =>
            await PostgresServer.IsReadyAsync(port, ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
        return builder.AddResource(server)
            .WithArgs([.. command.Args])
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithHealthCheck($"{name}-ready")
            .OnBeforeResourceStarted((r, _, ct) => PostgresServer.InitializeAsync(dataRoot, ct))
            // Databases once the server answers, as Aspire's own PostgreSQL integration creates them; each then runs
            // (and is healthy once it accepts connections).
            .OnResourceReady(async (r, e, ct) =>
            {
                var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var db in r.Databases)
                {
                    await PostgresServer.EnsureDatabaseAsync(port, db.DatabaseName, ct);
                    await notifications.PublishUpdateAsync(db, s => s with { State = KnownResourceStates.Running });
                }
            });
    }

    /// <summary>A database on the server, with PostGIS; a child resource, healthy once it accepts connections.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var db = new LocalPostgresDatabaseResource(name, name, server.Resource);
        server.Resource.Databases.Add(db);
        var port = server.Resource.Port;
        server.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck($"{name}-ready", async ct =>
        {
            try
            {
                await using var conn = new Npgsql.NpgsqlConnection(PostgresServer.ConnectionString(port, name) + ";Pooling=false;Timeout=3");
                await conn.OpenAsync(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Npgsql.NpgsqlException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });
        return server.ApplicationBuilder.AddResource(db).WithHealthCheck($"{name}-ready")
            .WithInitialState(new() { ResourceType = "PostgresDatabase", State = KnownResourceStates.Waiting, Properties = [] });
    }

    /// <summary>A RabbitMQ node with its management plugin, and its own epmd as a resource of its own.</summary>
    public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMq(this IDistributedApplicationBuilder builder, string name,
        string dataRoot, int port, int managementPort, int epmdPort, int distributionPort)
    {
        var epmdCommand = RabbitMqServer.EpmdCommand(dataRoot, epmdPort);
        builder.Services.AddHealthChecks().AddCheck($"{name}-epmd-ready", () =>
            FreePort.IsListening(epmdPort) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
        var epmd = builder.AddExecutable($"{name}-epmd", epmdCommand.FileName, dataRoot, [.. epmdCommand.Args])
            .WithEnvironment(e => Copy(epmdCommand, e))
            .WithHealthCheck($"{name}-epmd-ready")
            .OnBeforeResourceStarted((_, _, _) => Task.FromResult(Directory.CreateDirectory(dataRoot)));

        var command = RabbitMqServer.Command(dataRoot, name, port, epmdPort, distributionPort);
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}-ready", async ct =>
            await RabbitMqServer.IsReadyAsync(managementPort, ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
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
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}-ready", async ct =>
            await RedisServer.PingAsync(port, ct) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
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

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PostgresServer.ConnectionString(Port, "postgres")}");
}

public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public LocalPostgresResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PostgresServer.ConnectionString(Parent.Port, DatabaseName)}");
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
