using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Grid.LocalServers;

/// <summary>A service's own login role and its password: the owner of the service's database.</summary>
public sealed record DatabaseOwner(string Role, string Password)
{
    public override string ToString() => Role;
}

/// <summary>
/// Least privilege in PostgreSQL: a service connects as a login role of its own that owns its database (so it migrates
/// its own schema) and is nothing more — no superuser, no creating databases or roles, no replication, no bypassing
/// row security, no connecting to another service's database.
/// </summary>
public static class PostgresRoles
{
    /// <summary>
    /// Creates the role if missing and sets what it may do and its password at every call. The password reaches the
    /// server only as a SCRAM verifier, so a statement in the server's log never holds it.
    /// </summary>
    public static async Task EnsureLoginAsync(NpgsqlConnection admin, DatabaseOwner owner, CancellationToken ct = default)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", admin);
        exists.Parameters.AddWithValue(owner.Role);
        var role = Quote(owner.Role);
        var sql = await exists.ExecuteScalarAsync(ct) is null ? $"CREATE ROLE {role};" : "";
        sql += $"ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{ScramVerifier(owner.Password)}';";
        await using var cmd = new NpgsqlCommand(sql, admin);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Gives the database to <paramref name="role"/>, with no connecting or temporary tables for anyone else, and
    /// hands it what the superuser created in it before (a suite whose services connected as superuser): its schemas,
    /// tables, views, sequences of their own and functions, but not an extension's objects (PostGIS stays the
    /// superuser's) nor <c>casework_audit</c>, which belongs to a role of its own.
    /// </summary>
    public static async Task HandOverAsync(NpgsqlConnection admin, string database, string role, CancellationToken ct = default)
    {
        var statements = new List<string>
        {
            $"ALTER DATABASE {Quote(database)} OWNER TO {Quote(role)}",
            $"REVOKE CONNECT, TEMPORARY ON DATABASE {Quote(database)} FROM PUBLIC",
        };
        await using (var find = new NpgsqlCommand("""
            WITH mine AS (SELECT oid FROM pg_roles WHERE rolname = current_user),
            kept AS (SELECT oid FROM pg_namespace WHERE nspname IN ('information_schema', 'casework_audit') OR nspname LIKE 'pg\_%')
            SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $1) FROM pg_namespace n
            WHERE n.nspowner = (SELECT oid FROM mine) AND n.nspname <> 'public' AND n.oid NOT IN (SELECT oid FROM kept)
            UNION ALL
            SELECT format('ALTER %s %s OWNER TO %I',
                CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass, $1)
            FROM pg_class c
            WHERE c.relowner = (SELECT oid FROM mine) AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relnamespace NOT IN (SELECT oid FROM kept)
                -- an extension's, or a sequence that follows its table
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
            UNION ALL
            SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1) FROM pg_proc p
            WHERE p.proowner = (SELECT oid FROM mine) AND p.prokind IN ('f', 'p') AND p.pronamespace NOT IN (SELECT oid FROM kept)
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """, admin))
        {
            find.Parameters.AddWithValue(role);
            await using var r = await find.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                statements.Add(r.GetString(0));
            }
        }

        await using var tx = await admin.BeginTransactionAsync(ct);
        foreach (var sql in statements)
        {
            await using var cmd = new NpgsqlCommand(sql, admin, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>What PostgreSQL keeps of a SCRAM-SHA-256 password (RFC 5802/7677), as its own <c>\password</c> sends it.</summary>
    public static string ScramVerifier(string password)
    {
        const int iterations = 4096;
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
