using Npgsql;

namespace Grid.LocalServers;

/// <summary>
/// PostgreSQL with PostGIS from the host's Debian packages, in the foreground, data in a directory of its own so that
/// several servers coexist. Run as the postgres user when started by root (the server refuses root).
/// </summary>
public static class PostgresServer
{
    public const string User = "grid";
    private const string BinDir = "/usr/lib/postgresql/15/bin";

    private static bool IsRoot => Environment.UserName == "root";

    public static string DataDir(string dataRoot) => Path.Combine(dataRoot, "pgdata");

    /// <summary>
    /// First start: an empty cluster owned by the server's user, with a trusted local superuser. With
    /// <paramref name="passwords"/> (a suite a person runs), every connection over TCP needs its role's password
    /// (SCRAM), rewritten at every start so that a cluster made before holds it too: the superuser, which has none,
    /// is reached only through the socket in the data directory (<see cref="AdminConnectionString"/>), which only the
    /// server's own user may enter.
    /// </summary>
    public static async Task InitializeAsync(string dataRoot, CancellationToken ct = default, bool passwords = false)
    {
        Directory.CreateDirectory(dataRoot);
        if (IsRoot)
        {
            await ProcessRunner.RunCheckedAsync("chown", ["postgres:postgres", dataRoot], ct: ct);
        }

        if (!File.Exists(Path.Combine(DataDir(dataRoot), "PG_VERSION")))
        {
            // initdb's fsync of each file it writes took half its time (3.8 s against 1.8 s); one sync of the file
            // system afterwards makes the cluster as durable before the server starts on it.
            await ProcessRunner.RunCheckedAsync(AsServerUser(out var prefix), [.. prefix, $"{BinDir}/initdb", "--no-sync", "-D", DataDir(dataRoot),
                "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C.UTF-8"], ct: ct);
            await ProcessRunner.RunCheckedAsync("sync", ["--file-system", DataDir(dataRoot)], ct: ct);
        }

        if (passwords)
        {
            var hba = Path.Combine(DataDir(dataRoot), "pg_hba.conf");
            await File.WriteAllTextAsync(hba, """
                # Written by Grid.LocalServers at every start.
                local all all trust
                host all all 127.0.0.1/32 scram-sha-256

                """, ct);
            if (IsRoot)
            {
                await ProcessRunner.RunCheckedAsync("chown", ["postgres:postgres", hba], ct: ct);
            }
        }
    }

    /// <summary>The postmaster itself (no pg_ctl), so that whoever started it owns it; SIGINT is its fast shutdown.</summary>
    public static ServerCommand Command(string dataRoot, int port, bool durable)
    {
        // Tests trade durability for speed; a suite that a person runs keeps fsync on.
        string[] options = ["-D", DataDir(dataRoot), "-p", $"{port}", "-k", DataDir(dataRoot), "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=400", "-c", "shared_buffers=256MB"];
        if (!durable)
        {
            options = [.. options, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
        }

        var file = AsServerUser(out var prefix);
        return new ServerCommand(file, [.. prefix, $"{BinDir}/postgres", .. options], new Dictionary<string, string>(), dataRoot);
    }

    public static string ConnectionString(int port, string database, int maxPoolSize = 50, string user = User) =>
        $"Host=127.0.0.1;Port={port};Username={user};Database={database};Maximum Pool Size={maxPoolSize};Include Error Detail=true";

    /// <summary>The superuser's connection through the server's socket, in its data directory.</summary>
    public static string AdminConnectionString(string dataRoot, int port, string database) =>
        $"Host={DataDir(dataRoot)};Port={port};Username={User};Database={database};Pooling=false";

    public static async Task<bool> IsReadyAsync(string connectionString, CancellationToken ct = default)
    {
        try
        {
            await using var conn = new NpgsqlConnection(connectionString + ";Timeout=3");
            await conn.OpenAsync(ct);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates the database with PostGIS if it does not exist yet, as the superuser (<paramref name="admin"/> gives
    /// its connection string to a database): PostGIS needs one to be created. With an <paramref name="owner"/>, the
    /// database belongs to that login role (<see cref="PostgresRoles"/>).
    /// </summary>
    public static async Task EnsureDatabaseAsync(Func<string, string> admin, string database, DatabaseOwner? owner, CancellationToken ct = default)
    {
        await using (var conn = new NpgsqlConnection(admin("postgres")))
        {
            await conn.OpenAsync(ct);
            if (owner is not null)
            {
                await PostgresRoles.EnsureLoginAsync(conn, owner, ct);
            }

            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn);
            exists.Parameters.AddWithValue(database);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {PostgresRoles.Quote(database)}", conn);
                await create.ExecuteNonQueryAsync(ct);
            }
        }

        await using var db = new NpgsqlConnection(admin(database));
        await db.OpenAsync(ct);
        await using (var ext = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS postgis", db))
        {
            await ext.ExecuteNonQueryAsync(ct);
        }

        if (owner is not null)
        {
            await PostgresRoles.HandOverAsync(db, database, owner.Role, ct);
        }
    }

    // setpriv replaces itself with the server (no parent left between the starter and the postmaster).
    private static string AsServerUser(out string[] prefix)
    {
        prefix = IsRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : [];
        return IsRoot ? "setpriv" : "env";
    }
}
