using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Casework.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>
/// Overload and a database that does not answer in time are 503s with Retry-After, never a 500: writes beyond the
/// limit are shed at once, a pool that stays exhausted names the database, and a retry stores one case.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class UnavailableTests(CaseworkFixture fx)
{
    [Fact]
    public async Task An_exhausted_pool_is_a_503_naming_the_database_and_the_retry_stores_the_case_once()
    {
        // One second to wait for the connection: the test holds it, as a burst of reports would.
        var (host, db) = await StartWithOneConnectionAsync("cw_unavailable", waitSeconds: 1);
        await using var owned = host;
        var client = host.Client(CaseworkHost.Worker());
        var held = await HoldTheOnlyConnectionAsync(host);

        HttpResponseMessage refused;
        await using (held)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/fire/v1/cases") { Content = JsonContent.Create(Body) };
            request.Headers.Add("Idempotency-Key", "unavailable-1");
            refused = await client.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("database", problem.GetProperty("dependency").GetString());
        Assert.False(problem.TryGetProperty("exception", out _));
        Assert.Equal(0, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.cases"));

        // The connection is back: the same report with the same key is stored, once, even when sent twice.
        var first = await host.ReportAsync(client, Body, "unavailable-1");
        var again = await host.ReportAsync(client, Body, "unavailable-1");
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.cases"));
    }

    [Fact]
    public async Task Writes_beyond_the_limit_are_shed_at_once_with_a_503_and_the_one_in_flight_completes()
    {
        var (host, db) = await StartWithOneConnectionAsync("cw_shed", waitSeconds: 30,
            new() { [Microsoft.Extensions.Hosting.LoadSheddingMiddleware.LimitKey] = "1" });
        await using var owned = host;
        var client = host.Client(CaseworkHost.Worker());

        // The only connection is held, so the first report stays in flight, waiting for it.
        var held = await HoldTheOnlyConnectionAsync(host);
        var first = client.PostAsJsonAsync("/api/fire/v1/cases", Body);
        var writes = host.Services.GetRequiredService<Microsoft.Extensions.Hosting.WritesInFlight>();
        await Wait.UntilAsync(() => Task.FromResult(writes.Current == 1), TimeSpan.FromSeconds(20), "the first report to be in flight");
        Assert.False(first.IsCompleted);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var shed = await client.PostAsJsonAsync("/api/fire/v1/cases", Body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"shed after {clock.Elapsed}, not at once");
        Assert.Equal(TimeSpan.FromSeconds(1), shed.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(await shed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("1 writes are in progress", problem.GetProperty("detail").GetString());

        // Reads are not counted.
        using var read = await client.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        await held.DisposeAsync();
        using var stored = await first;
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal(1, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.cases"));

        // With the first one done, the retry gets through.
        using var retried = await client.PostAsJsonAsync("/api/fire/v1/cases", Body);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(2, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.cases"));
    }

    [Fact]
    public void Only_an_unreachable_dependency_is_unavailable_not_a_refused_statement()
    {
        Assert.Equal("database", Microsoft.Extensions.Hosting.UnavailableExceptionHandler.DependencyOf(
            new InvalidOperationException("wrapped", new NpgsqlException("pool exhausted", new TimeoutException()))));
        Assert.Equal("database", Microsoft.Extensions.Hosting.UnavailableExceptionHandler.DependencyOf(
            new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        Assert.Equal("cache", Microsoft.Extensions.Hosting.UnavailableExceptionHandler.DependencyOf(
            new StackExchange.Redis.RedisTimeoutException(StackExchange.Redis.CommandFlags.None, "no answer from redis", StackExchange.Redis.CommandStatus.Sent)));
        // A statement PostgreSQL refuses is a fault to fix, not a moment to wait out.
        Assert.Null(Microsoft.Extensions.Hosting.UnavailableExceptionHandler.DependencyOf(
            new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.Null(Microsoft.Extensions.Hosting.UnavailableExceptionHandler.DependencyOf(new InvalidOperationException("a bug")));
    }

    private static readonly object Body = new { category = "hazard", severity = "general", title = "堵塞消防通道", gridId = GridTree.VillageA1 };

    /// <summary>A fire casework host whose pool has one connection, waited for at most <paramref name="waitSeconds"/>.</summary>
    private async Task<(CaseworkHost Host, string Db)> StartWithOneConnectionAsync(string name, int waitSeconds, Dictionary<string, string?>? settings = null)
    {
        var db = await fx.Infra.CreateDatabaseAsync(name);
        var mq = await fx.Infra.CreateVirtualHostAsync(name);
        var one = new NpgsqlConnectionStringBuilder(db) { MaxPoolSize = 1, Timeout = waitSeconds }.ConnectionString;
        return (await CaseworkHost.StartAsync("fire", one, mq, fx.Grids.Address, settings: settings), db);
    }

    /// <summary>Takes the pool's only connection, once the relay and the audit chainer, which share it, let it go.</summary>
    private static async Task<NpgsqlConnection> HoldTheOnlyConnectionAsync(CaseworkHost host)
    {
        var pool = host.Services.GetRequiredService<CaseworkDatabase>().DataSource;
        NpgsqlConnection? held = null;
        await Wait.UntilAsync(async () =>
        {
            try
            {
                held = await pool.OpenConnectionAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the only pooled connection");
        return held!;
    }
}
