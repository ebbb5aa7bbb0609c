using Grid.Testing;
using Npgsql;

namespace Grid.EndToEnd;

/// <summary>
/// Least privilege in PostgreSQL as the suite runs: every service connects as a login role of its own, with the
/// connection string the AppHost gave it (read from the process's environment), and the audit trail's tables belong
/// to another role, so whoever holds a service's role can read and append audit entries and nothing more.
/// </summary>
[Collection(SuiteCollection.Name)]
public class DatabaseRoleTests(AssembledSuite suite)
{
    /// <summary>Each service and its database; all but organization are built on Grid.Casework and keep audit tables.</summary>
    static readonly (string Service, string Database)[] Services =
    [
        ("organization", "organizationdb"), ("fire", "firedb"), ("environment", "environmentdb"), ("labor", "labordb"),
        ("drugs", "drugsdb"), ("cadre", "cadredb"), ("command", "commanddb"),
    ];

    /// <summary>The start-up warning of a service whose role could rewrite its audit trail (Grid.Casework's SchemaInitializer).</summary>
    const string AuditWarning = "The audit trail is guarded by a trigger only";

    string ConnectionStringOf(string service, string database) => suite.EnvironmentOf(service, $"ConnectionStrings__{database}");

    [Fact]
    public async Task Every_service_connects_as_a_role_of_its_own_that_is_no_superuser_and_may_not_change_audit_rows()
    {
        var roles = new HashSet<string>();
        foreach (var (service, database) in Services)
        {
            await using var conn = new NpgsqlConnection(ConnectionStringOf(service, database));
            await conn.OpenAsync();
            var who = await ScalarAsync<string>(conn, "SELECT current_user");
            Assert.True(roles.Add(who), $"{service} shares the role {who}");
            Assert.False(await ScalarAsync<bool>(conn, "SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = current_user"), $"{service}: {who} is privileged");
            Assert.Equal(who, await ScalarAsync<string>(conn, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"));
            if (service != "organization")
            {
                Assert.False(await ScalarAsync<bool>(conn, """
                    SELECT has_table_privilege('casework_audit.entries', 'UPDATE,DELETE,TRUNCATE') OR has_table_privilege('casework_audit.queue', 'UPDATE,DELETE,TRUNCATE')
                        OR pg_has_role((SELECT relowner FROM pg_class WHERE oid = 'casework_audit.entries'::regclass), 'MEMBER')
                    """), $"{service}: {who} may change its audit rows");
            }
        }
    }

    [Fact]
    public async Task The_fire_services_role_reads_the_audit_trail_the_suite_wrote_and_PostgreSQL_refuses_it_every_change()
    {
        await using var conn = new NpgsqlConnection(ConnectionStringOf("fire", "firedb"));
        await conn.OpenAsync();
        Assert.False(await ScalarAsync<bool>(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));

        // The demo data went through the fire service's case life cycle: its entries are in the chain, read as its role.
        await Wait.UntilAsync(async () => await ScalarAsync<long>(conn, "SELECT count(*) FROM casework_audit.entries") > 0,
            TimeSpan.FromSeconds(60), "the fire demo data's audit entries to be linked");
        var entries = await ScalarAsync<long>(conn, "SELECT count(*) FROM casework_audit.entries");

        // Each refused by PostgreSQL itself, before any trigger could run (the trigger's refusal says "append-only"):
        // rows for want of the privilege, the tables' definitions for want of owning them, and the owner's role.
        foreach (var (sql, because) in new[]
        {
            ("UPDATE casework_audit.entries SET actor = 'x'", "permission denied for table entries"),
            ("DELETE FROM casework_audit.entries", "permission denied for table entries"),
            ("TRUNCATE casework_audit.entries", "permission denied for table entries"),
            ("UPDATE casework_audit.queue SET actor = 'x'", "permission denied for table queue"),
            ("DELETE FROM casework_audit.queue", "permission denied for table queue"),
            ("ALTER TABLE casework_audit.entries DISABLE TRIGGER append_only", "must be owner of table entries"),
            ("DROP TRIGGER append_only ON casework_audit.entries", "must be owner of relation entries"),
            ("DROP TRIGGER append_only ON casework_audit.queue", "must be owner of relation queue"),
            ("ALTER TABLE casework_audit.entries OWNER TO CURRENT_USER", "must be owner of table entries"),
            ("SET ROLE casework_audit", "permission denied to set role"),
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(conn, sql));
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege && refused.MessageText.Contains(because, StringComparison.Ordinal),
                $"{sql}: {refused.SqlState} {refused.MessageText}");
        }

        Assert.True(await ScalarAsync<long>(conn, "SELECT count(*) FROM casework_audit.entries WHERE actor <> 'x'") >= entries);
        Assert.Equal(0L, await ScalarAsync<long>(conn, "SELECT count(*) FROM casework_audit.entries WHERE actor = 'x'"));
    }

    [Fact]
    public async Task Over_TCP_a_role_needs_its_password_and_the_superuser_cannot_log_in()
    {
        var fire = new NpgsqlConnectionStringBuilder(ConnectionStringOf("fire", "firedb")) { Pooling = false };
        await using (var ok = new NpgsqlConnection(fire.ConnectionString))
        {
            await ok.OpenAsync(); // the password the service has is the one that works
        }

        foreach (var (user, password) in new[] { (fire.Username!, "wrong-" + Guid.NewGuid().ToString("N")), ("grid", fire.Password!) })
        {
            var attempt = new NpgsqlConnectionStringBuilder(fire.ConnectionString) { Username = user, Password = password };
            await using var conn = new NpgsqlConnection(attempt.ConnectionString);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => conn.OpenAsync());
            Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        }
    }

    [Fact]
    public void No_service_of_the_run_logs_that_its_role_may_alter_audit_rows()
    {
        foreach (var (service, _) in Services)
        {
            var log = AssembledSuite.ReadShared(Path.Combine(suite.LogsDir, $"{service}.log"));
            // Its schema initializer ran: the host says it started only once every start-up service has.
            Assert.True(log.Contains("Application started", StringComparison.Ordinal), $"{service}.log does not show the service started");
        }

        var warned = AssembledSuite.LogFiles(suite.StateDir)
            .Where(f => AssembledSuite.ReadShared(f).Contains(AuditWarning, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(suite.StateDir, f)).ToList();
        Assert.True(warned.Count == 0, "audit warning in " + string.Join(", ", warned));
    }

    static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    static async Task ExecuteAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
