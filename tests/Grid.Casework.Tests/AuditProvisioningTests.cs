using Grid.Casework.Infrastructure;
using Grid.Testing;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>
/// Provisioning a database whose audit tables already exist: the local suite's services once made them as superuser;
/// a service started before its administrator provisioned it made them as its own role.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class AuditProvisioningTests(CaseworkFixture fx)
{
    [Fact]
    public async Task Audit_tables_a_superuser_made_are_taken_over_with_their_rows_and_the_service_role_may_then_only_read_and_append()
    {
        var (superuser, service, role) = await ServiceDatabaseAsync("cw_audit_take");
        await using (var db = NpgsqlDataSource.Create(superuser))
        {
            Assert.NotNull(await CaseworkAuditSchema.EnsureAsync(db, CancellationToken.None));
        }

        await Sql(superuser, "INSERT INTO casework_audit.queue (entry_id, actor, action, origin, at, mac) VALUES ($1, 'chief-1', 'report', 'http', now(), 'm')", Guid.NewGuid());

        await using (var admin = new NpgsqlConnection(superuser))
        {
            await admin.OpenAsync();
            await CaseworkAuditSchema.ProvisionAsync(admin, role);
            await CaseworkAuditSchema.ProvisionAsync(admin, role); // as every start of the suite does
        }

        Assert.Equal(CaseworkAuditSchema.OwnerRole, await Wait.ScalarAsync<string>(superuser,
            "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'casework_audit'"));
        Assert.Equal(1L, await Wait.ScalarAsync<long>(service, "SELECT count(*) FROM casework_audit.queue WHERE actor = 'chief-1'"));
        await using (var db = NpgsqlDataSource.Create(service))
        {
            Assert.Null(await CaseworkAuditSchema.EnsureAsync(db, CancellationToken.None));
        }

        await Sql(service, "INSERT INTO casework_audit.queue (entry_id, actor, action, origin, at, mac) VALUES ($1, 'chief-2', 'report', 'http', now(), 'm')", Guid.NewGuid());
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql(service, "UPDATE casework_audit.queue SET actor = 'x'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Contains("permission denied", refused.MessageText);
        Assert.Equal(2L, await Wait.ScalarAsync<long>(superuser, "SELECT count(*) FROM casework_audit.queue WHERE actor <> 'x'"));
    }

    [Fact]
    public async Task Audit_tables_the_service_role_made_itself_are_refused_and_left_as_they_were()
    {
        var (superuser, service, role) = await ServiceDatabaseAsync("cw_audit_own");
        await using (var db = NpgsqlDataSource.Create(service))
        {
            Assert.Equal(role, await CaseworkAuditSchema.EnsureAsync(db, CancellationToken.None));
        }

        await using (var admin = new NpgsqlConnection(superuser))
        {
            await admin.OpenAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => CaseworkAuditSchema.ProvisionAsync(admin, role));
            Assert.Contains($"belongs to role {role}", refused.MessageText);
        }

        // Nothing half done: the schema and its tables are still the role's.
        Assert.Equal(role, await Wait.ScalarAsync<string>(superuser,
            "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'casework_audit'"));
        Assert.Equal(role, await Wait.ScalarAsync<string>(superuser, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'casework_audit'"));
    }

    /// <summary>A fresh database owned by a login role of its own, as a database administrator sets one up.</summary>
    private async Task<(string Superuser, string Service, string Role)> ServiceDatabaseAsync(string prefix)
    {
        var superuser = await fx.Infra.CreateDatabaseAsync(prefix);
        var role = GridInfrastructure.UniqueName("svc");
        await Sql(superuser, $"CREATE ROLE \"{role}\" LOGIN");
        await Sql(superuser, $"ALTER DATABASE \"{new NpgsqlConnectionStringBuilder(superuser).Database}\" OWNER TO \"{role}\"");
        return (superuser, new NpgsqlConnectionStringBuilder(superuser) { Username = role }.ConnectionString, role);
    }

    private static async Task Sql(string cs, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        await cmd.ExecuteNonQueryAsync();
    }
}
