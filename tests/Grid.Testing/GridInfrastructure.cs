using Grid.LocalServers;
using Grid.Testing.Hosting;
using Npgsql;

namespace Grid.Testing;

/// <summary>
/// Real PostgreSQL+PostGIS, RabbitMQ and Redis for tests. Under ./grid test one set is started for the whole
/// run and handed over in GRID_TEST_* variables; run alone (an IDE, one project), the first use starts a set
/// of its own on free ports in a temp directory and stops it when the test process exits. Tests isolate
/// themselves by database name, virtual host and key prefix.
/// </summary>
public sealed class GridInfrastructure
{
    private static readonly Lazy<Task<GridInfrastructure>> Shared = new(() => StartAsync(durable: false));
    private static readonly Lazy<Task<GridInfrastructure>> Durable = new(() => StartAsync(durable: true));
    private static int _sequence;

    private GridInfrastructure(int postgresPort, int rabbitPort, int rabbitManagementPort, int redisPort, DistributedApplication? owned)
    {
        PostgresPort = postgresPort;
        RabbitMqPort = rabbitPort;
        RabbitMqManagementPort = rabbitManagementPort;
        RedisPort = redisPort;
        Owned = owned;
    }

    public int PostgresPort { get; }

    public int RabbitMqPort { get; }

    public int RabbitMqManagementPort { get; }

    public int RedisPort { get; }

    /// <summary>The servers this process started itself (null when the run's shared ones are used).</summary>
    public DistributedApplication? Owned { get; }

    public string RedisConnectionString => $"127.0.0.1:{RedisPort}";

    public static Task<GridInfrastructure> GetAsync() => Shared.Value;

    /// <summary>
    /// Servers of this process's own with PostgreSQL as a deployment runs it (fsync and synchronous commit on), for
    /// benchmarks: never the run's shared test servers, which trade durability for speed.
    /// </summary>
    public static Task<GridInfrastructure> GetDurableAsync() => Durable.Value;

    /// <summary>A name unique to this test process: databases, vhosts and key prefixes start with it.</summary>
    public static string UniqueName(string prefix)
    {
        // PostgreSQL names stop at 63 bytes; the GUID keeps a shortened name unique.
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _sequence)}_{Guid.NewGuid():N}";
        return name[..Math.Min(60, name.Length)].ToLowerInvariant();
    }

    public string PostgresConnectionString(string database) =>
        PostgresServer.ConnectionString(PostgresPort, database, maxPoolSize: 30);

    /// <summary>Creates a fresh database with PostGIS and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = UniqueName(prefix);
        await using (var admin = new NpgsqlConnection(PostgresConnectionString("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        await using var conn = new NpgsqlConnection(PostgresConnectionString(name));
        await conn.OpenAsync();
        await using var ext = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS postgis", conn);
        await ext.ExecuteNonQueryAsync();
        return PostgresConnectionString(name);
    }

    /// <summary>Creates a fresh RabbitMQ virtual host and returns its AMQP URI.</summary>
    public async Task<string> CreateVirtualHostAsync(string prefix)
    {
        return await RabbitMqServer.CreateVirtualHostAsync(RabbitMqPort, RabbitMqManagementPort, UniqueName(prefix));
    }

    private static async Task<GridInfrastructure> StartAsync(bool durable)
    {
        static int? Env(string name) => int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : null;
        if (!durable && Env("GRID_TEST_POSTGRES_PORT") is int pg && Env("GRID_TEST_RABBITMQ_PORT") is int mq
            && Env("GRID_TEST_RABBITMQ_MANAGEMENT_PORT") is int mgmt && Env("GRID_TEST_REDIS_PORT") is int redis)
        {
            return new GridInfrastructure(pg, mq, mgmt, redis, null);
        }

        var dir = Directory.CreateTempSubdirectory("grid-test-").FullName;
        // A temporary directory of this process's own: if the process is killed, the watchdog removes it too.
        var app = await StartOwnAsync(dir, durable, removeIfAbandoned: true);
        var infra = new GridInfrastructure(
            app.Resources.OfType<LocalPostgres>().Single().Port,
            app.Resources.OfType<LocalRabbitMq>().Single().Port,
            app.Resources.OfType<LocalRabbitMq>().Single().ManagementPort,
            app.Resources.OfType<LocalRedis>().Single().Port,
            app);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            app.StopAsync().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return infra;
    }

    /// <summary>
    /// Starts PostgreSQL, RabbitMQ and Redis on free ports under <paramref name="stateDir"/>; PostgreSQL without
    /// fsync and synchronous commit unless <paramref name="durable"/>. Should this process die without stopping them,
    /// they are ended (<see cref="OwnerWatchdog"/>), and the directory removed if <paramref name="removeIfAbandoned"/>.
    /// </summary>
    public static async Task<DistributedApplication> StartOwnAsync(string stateDir, bool durable = false, bool removeIfAbandoned = false)
    {
        // The postgres user must reach its data directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stateDir, (UnixFileMode)0b111_101_101);
        }
        var builder = DistributedApplication.CreateBuilder(stateDir, stateDir);
        builder.AddPostgres("postgres", FreePort.Next(), durable);
        builder.AddRabbitMQ("messaging", FreePort.Next(), FreePort.Next());
        builder.AddRedis("cache", FreePort.Next(), durable);
        var app = builder.Build();
        app.RemoveStateIfAbandoned = removeIfAbandoned;
        await app.StartAsync();
        return app;
    }
}
