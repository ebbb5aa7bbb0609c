using Npgsql;

namespace Grid.AppHost.Hosting;

/// <summary>
/// PostgreSQL with PostGIS from the host's Debian packages, run as the postgres user (it refuses root),
/// data in its own directory so that several servers coexist.
/// </summary>
public sealed class LocalPostgres(string name, int port, bool durable = true) : Resource(name)
{
    public const string User = "grid";
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly List<PostgresDatabase> _databases = [];

    public int Port { get; } = port;

    public string DataDir => Path.Combine(DataRoot, "pgdata");

    public override string Url => $"postgres://127.0.0.1:{Port}";

    /// <summary>Connection string to the given database on this server.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Maximum Pool Size=50;Include Error Detail=true";

    public PostgresDatabase AddDatabase(string connectionName, string? databaseName = null)
    {
        var db = new PostgresDatabase(this, connectionName, databaseName ?? connectionName);
        _databases.Add(db);
        return db;
    }

    protected override async Task OnStartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(DataRoot);
        await ProcessRunner.RunCheckedAsync("chown", ["postgres:postgres", DataRoot], ct: ct);
        if (!File.Exists(Path.Combine(DataDir, "PG_VERSION")))
        {
            await ProcessRunner.RunCheckedAsync("runuser", ["-u", "postgres", "--", $"{BinDir}/initdb", "-D", DataDir,
                "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C.UTF-8"], ct: ct);
        }

        // pg_ctl writes the server log as the postgres user.
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        await File.AppendAllTextAsync(LogPath, "", ct);
        await ProcessRunner.RunCheckedAsync("chown", ["postgres:postgres", LogPath], ct: ct);

        // Tests trade durability for speed; a suite that a person runs keeps fsync on.
        var options = $"-p {Port} -k {DataDir} -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB";
        if (!durable)
        {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        await ProcessRunner.RunCheckedAsync("runuser", ["-u", "postgres", "--", $"{BinDir}/pg_ctl", "-D", DataDir,
            "-l", LogPath, "-o", options, "-w", "-t", "60", "start"], ct: ct);

        foreach (var db in _databases)
        {
            await EnsureDatabaseAsync(db.DatabaseName, ct);
        }
    }

    /// <summary>Creates the database with PostGIS if it does not exist yet.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken ct = default)
    {
        await using (var admin = new NpgsqlConnection(ConnectionStringFor("postgres")))
        {
            await admin.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin);
            exists.Parameters.AddWithValue(database);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "")}\"", admin);
                await create.ExecuteNonQueryAsync(ct);
            }
        }

        await using var conn = new NpgsqlConnection(ConnectionStringFor(database));
        await conn.OpenAsync(ct);
        await using var ext = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS postgis", conn);
        await ext.ExecuteNonQueryAsync(ct);
    }

    protected override async Task OnStopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
        {
            await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", $"{BinDir}/pg_ctl", "-D", DataDir,
                "-m", "fast", "-w", "-t", "30", "stop"]);
        }
    }

    public override bool IsAlive => base.IsAlive && File.Exists(Path.Combine(DataDir, "postmaster.pid"));
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
