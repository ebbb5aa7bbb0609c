using System.Diagnostics;
using Grid.LocalServers;
using Npgsql;

namespace Grid.Testing.Hosting;

/// <summary>
/// A test's own PostgreSQL+PostGIS, started as <see cref="PostgresServer"/> defines (as the AppHost starts it); with
/// <paramref name="passwords"/>, as the AppHost does: a password for every TCP connection, the superuser through the socket.
/// </summary>
public sealed class LocalPostgres(string name, int port, bool durable = true, bool passwords = false) : Resource(name)
{
    public const string User = PostgresServer.User;
    private readonly List<PostgresDatabase> _databases = [];
    private Process? _process;

    public int Port { get; } = port;

    public string DataDir => PostgresServer.DataDir(DataRoot);

    public override string Url => $"postgres://127.0.0.1:{Port}";

    /// <summary>Connection string to the given database on this server.</summary>
    public string ConnectionStringFor(string database) => PostgresServer.ConnectionString(Port, database);

    /// <summary>The superuser's connection string to the given database.</summary>
    public string AdminConnectionStringFor(string database) =>
        passwords ? PostgresServer.AdminConnectionString(DataRoot, Port, database) : ConnectionStringFor(database) + ";Pooling=false";

    public PostgresDatabase AddDatabase(string connectionName, string? databaseName = null)
    {
        var db = new PostgresDatabase(this, connectionName, databaseName ?? connectionName);
        _databases.Add(db);
        return db;
    }

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        await PostgresServer.InitializeAsync(DataRoot, ct, passwords);
        _process = ServerProcess.Start(PostgresServer.Command(DataRoot, Port, durable), LogPath, StateDir);
        await ServerProcess.WaitReadyAsync(_process, () => PostgresServer.IsReadyAsync(AdminConnectionStringFor("postgres"), ct), TimeSpan.FromSeconds(60), ct);
        foreach (var db in _databases)
        {
            await EnsureDatabaseAsync(db.DatabaseName, ct);
        }
    }

    /// <summary>Creates the database with PostGIS if it does not exist yet.</summary>
    public Task EnsureDatabaseAsync(string database, CancellationToken ct = default) =>
        PostgresServer.EnsureDatabaseAsync(AdminConnectionStringFor, database, owner: null, ct);

    protected override async Task OnStopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        // SIGINT is the postmaster's fast shutdown.
        await ServerProcess.StopAsync(_process, Signals.SigInt, TimeSpan.FromSeconds(30));
    }

    public override bool IsAlive => base.IsAlive && _process is { HasExited: false };
}

/// <summary>One service's database on a <see cref="LocalPostgres"/> server.</summary>
public sealed class PostgresDatabase(LocalPostgres server, string connectionName, string databaseName)
    : IResourceWithConnectionString
{
    public LocalPostgres Server { get; } = server;

    public string ConnectionName { get; } = connectionName;

    public string DatabaseName { get; } = databaseName;

    public string ConnectionString => Server.ConnectionStringFor(DatabaseName);
}
