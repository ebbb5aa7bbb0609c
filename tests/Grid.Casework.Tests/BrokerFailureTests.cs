using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Grid.LocalServers;
using Grid.Messaging;
using Grid.Testing;
using Grid.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Grid.Casework.Tests;

/// <summary>Counts its effect in a table without a unique key: only the inbox keeps it at one row per event.</summary>
public sealed class CountingConsumer(CaseworkDatabase db) : IdempotentConsumer<CaseReported>(db)
{
    protected override async Task HandleAsync(CaseReported message, CaseworkTransaction tx, CancellationToken ct)
    {
        await using var cmd = tx.Command("INSERT INTO test_effects (case_id) VALUES ($1)");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = message.CaseId });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// The broker dies in the middle of a burst of 1,000 reports and comes back: nothing lost, nothing doubled — whether the
/// bus recovers in the process or, failing that, the liveness check has the process replaced.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class BrokerFailureTests(CaseworkFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_event_of_a_burst_arrives_once_across_a_broker_crash()
    {
        using var alone = await ExclusiveTest.AcquireAsync();
        var dir = Directory.CreateTempSubdirectory("grid-cw-broker-").FullName;
        var builder = DistributedApplication.CreateBuilder(dir, dir);
        var broker = builder.AddRabbitMQ("cwkill", FreePort.Next(), FreePort.Next());
        var app = builder.Build();
        await app.StartAsync();
        try
        {
            var db = await fx.Infra.CreateDatabaseAsync("cw_kill");
            await Wait.ScalarAsync<int>(db, "CREATE TABLE test_effects (case_id uuid NOT NULL); SELECT 1");
            Task<CaseworkHost> StartHostAsync() => CaseworkHost.StartAsync("fire", db, broker.ConnectionString, fx.Grids.Address,
                configure: o => o.ConfigureMessaging = m =>
                {
                    // A third of the default: the give-up path below takes two looks after a restart.
                    m.WatchdogInterval = TimeSpan.FromSeconds(5);
                    m.AddConsumer<CountingConsumer>(CaseworkTopology.CommandCentreQueue);
                });
            CaseworkHost? host = await StartHostAsync();
            var processRestarts = 0;
            try
            {
                var chief = host.Client(CaseworkHost.Chief());
                const int total = 1000;
                var done = 0;
                await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                {
                    await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = $"批量{i}", gridId = GridTree.VillageA1 });
                    if (Interlocked.Increment(ref done) == total / 3)
                    {
                        await broker.KillAsync();
                    }
                });
                // Reports kept coming in while the broker was down; their events wait in the outbox.
                Assert.True(await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0") > 0);
                await broker.RestartAsync();

                // Usually within seconds of the restart. A channel left hung by the restart is found by the relay
                // (publishing fails) or the consumer watchdog (queue without consumer), which restart the bus; when that
                // does not bring the consumer back, the liveness check fails and this test does what an orchestrator
                // does: it replaces the process, and the new one consumes what is left.
                var deadline = DateTime.UtcNow.AddSeconds(240);
                while (await Wait.ScalarAsync<long>(db, "SELECT count(DISTINCT case_id) FROM test_effects") < total)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        using var http = broker.ManagementClient();
                        var queue = await http.GetStringAsync($"/api/queues/%2F/{CaseworkTopology.CommandCentreQueue}?columns=messages_ready,messages_unacknowledged,consumers");
                        Assert.Fail(
                            $"not every CaseReported consumed: {await Wait.ScalarAsync<long>(db, "SELECT count(DISTINCT case_id) FROM test_effects")}, " +
                            $"outbox pending {await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0")}, " +
                            $"bus restarts {host.Services.GetRequiredService<BusRestarter>().Restarts}, process restarts {processRestarts}, queue {queue}");
                    }

                    if (host.Services.GetRequiredService<BusRestarter>().Broken is not null)
                    {
                        using (var alive = await host.Client(CaseworkHost.Chief()).GetAsync("/alive"))
                        {
                            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, alive.StatusCode);
                        }

                        var replaced = host;
                        host = null;
                        await replaced.DisposeAsync();
                        host = await StartHostAsync();
                        processRestarts++;
                    }

                    await Task.Delay(250);
                }

                output.WriteLine($"consumed {total} events; bus restarts in the last process: {host.Services.GetRequiredService<BusRestarter>().Restarts}, process replacements: {processRestarts}");
                await Task.Delay(1000);
                Assert.Equal((long)total, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM test_effects"));
                Assert.Equal((long)total, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.cases"));
                Assert.Equal(0L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0"));
            }
            finally
            {
                if (host is not null)
                {
                    await host.DisposeAsync();
                }
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
