using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;
using Npgsql;

namespace Grid.Foundation.Tests;

/// <summary>A service's database as the AppHost provisions it: owned by a login role of the service's own, and no more.</summary>
public class DatabaseRoleTests
{
    [Fact]
    public async Task The_service_role_owns_its_database_and_what_the_superuser_made_in_it_before_and_may_do_nothing_beyond()
    {
        var infra = await GridInfrastructure.GetAsync();
        string Admin(string db) => infra.PostgresConnectionString(db) + ";Pooling=false";
        var database = GridInfrastructure.UniqueName("found_roles");
        var owner = new DatabaseOwner(GridInfrastructure.UniqueName("svc"), "pw-" + Guid.NewGuid().ToString("N"));
        await PostgresServer.EnsureDatabaseAsync(Admin, database, owner);

        // What a service connecting as superuser made, as a suite before this one did.
        await Sql(Admin(database), """
            CREATE SCHEMA legacy;
            CREATE TABLE legacy.cases (id bigserial PRIMARY KEY, title text);
            CREATE FUNCTION legacy.one() RETURNS int LANGUAGE sql AS 'SELECT 1';
            """);
        await PostgresServer.EnsureDatabaseAsync(Admin, database, owner);
        await PostgresServer.EnsureDatabaseAsync(Admin, database, owner); // every start provisions again

        Assert.StartsWith("SCRAM-SHA-256$4096:", await Wait.ScalarAsync<string>(Admin("postgres"), "SELECT rolpassword FROM pg_authid WHERE rolname = $1", owner.Role));
        Assert.DoesNotContain(owner.Password, await Wait.ScalarAsync<string>(Admin("postgres"), "SELECT rolpassword FROM pg_authid WHERE rolname = $1", owner.Role));

        // Its own schema migrations work: altering the old tables, new ones, PostGIS (made by the superuser) in use.
        var service = new NpgsqlConnectionStringBuilder(Admin(database)) { Username = owner.Role }.ConnectionString;
        await Sql(service, """
            ALTER TABLE legacy.cases ADD COLUMN IF NOT EXISTS grid text;
            INSERT INTO legacy.cases (title) VALUES ('楼道堆物');
            CREATE TABLE IF NOT EXISTS places (id int PRIMARY KEY, at geometry(Point, 4326));
            CREATE OR REPLACE FUNCTION legacy.one() RETURNS int LANGUAGE sql AS 'SELECT 1';
            CREATE EXTENSION IF NOT EXISTS postgis;
            """);
        Assert.Equal(1, await Wait.ScalarAsync<int>(service, "SELECT legacy.one()"));
        Assert.False(await Wait.ScalarAsync<bool>(service, "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = current_user"));
        Assert.Equal(owner.Role, await Wait.ScalarAsync<string>(service, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"));

        foreach (var sql in new[] { "CREATE ROLE intruder", $"CREATE DATABASE {GridInfrastructure.UniqueName("other")}", "ALTER SYSTEM SET fsync = off", "DROP EXTENSION postgis" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql(service, sql));
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }

        // Another service's role may not even connect.
        var other = GridInfrastructure.UniqueName("svc");
        await Sql(Admin("postgres"), $"CREATE ROLE \"{other}\" LOGIN");
        var stranger = await Assert.ThrowsAsync<PostgresException>(() =>
            Sql(new NpgsqlConnectionStringBuilder(service) { Username = other }.ConnectionString, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, stranger.SqlState);
    }

    [Fact]
    public async Task On_a_server_started_as_the_suite_starts_it_a_role_logs_in_over_TCP_with_its_password_only_and_the_superuser_not_at_all()
    {
        var dir = Directory.CreateTempSubdirectory("grid-pgauth-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101); // the postgres user must reach its data directory
        }

        var builder = DistributedApplication.CreateBuilder(dir, dir);
        var pg = builder.AddPostgres("postgres", FreePort.Next(), durable: false, passwords: true);
        var app = builder.Build();
        await app.StartAsync();
        try
        {
            var owner = new DatabaseOwner("svc_auth", "pw-" + Guid.NewGuid().ToString("N"));
            await PostgresServer.EnsureDatabaseAsync(pg.AdminConnectionStringFor, "authdb", owner);
            var tcp = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString(pg.Port, "authdb", user: owner.Role)) { Password = owner.Password, Pooling = false };
            Assert.Equal(owner.Role, await Wait.ScalarAsync<string>(tcp.ConnectionString, "SELECT current_user"));

            foreach (var (user, password) in new[] { (owner.Role, "wrong"), (PostgresServer.User, owner.Password), (PostgresServer.User, "") })
            {
                var attempt = new NpgsqlConnectionStringBuilder(tcp.ConnectionString) { Username = user, Password = password };
                var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => Wait.ScalarAsync<string>(attempt.ConnectionString, "SELECT current_user"));
                Assert.True(refused is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword } || refused.Message.Contains("No password has been provided", StringComparison.Ordinal),
                    $"{user}: {refused.Message}");
            }
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task Sql(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
