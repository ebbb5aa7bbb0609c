using Grid.AppHost.Hosting;
using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;

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

/// <summary>The broker dies in the middle of a burst of 1,000 reports and comes back: nothing lost, nothing doubled.</summary>
[Collection(CaseworkCollection.Name)]
public class BrokerFailureTests(CaseworkFixture fx)
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
            await using var host = await CaseworkHost.StartAsync("fire", db, broker.ConnectionString, fx.Grids.Address,
                configure: o => o.ConfigureMessaging = m => m.AddConsumer<CountingConsumer>(CaseworkTopology.CommandCentreQueue));
            var chief = host.Client(CaseworkHost.Chief());
            const int total = 1000;
            var done = 0;
            var killed = false;
            await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = $"批量{i}", gridId = GridTree.VillageA1 });
                if (Interlocked.Increment(ref done) == total / 3)
                {
                    killed = true;
                    await broker.KillAsync();
                }
            });
            Assert.True(killed);

            // Reports kept coming in while the broker was down; their events wait in the outbox.
            Assert.True(await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0") > 0);
            await broker.RestartAsync();

            try
            {
                // Usually within seconds of the restart; a channel left hung by the restart is found by the relay
                // (publishing fails) or the consumer watchdog (queue without consumer), which restart the bus.
                await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(DISTINCT case_id) FROM test_effects") == total,
                    TimeSpan.FromSeconds(180), "every CaseReported to be consumed");
            }
            catch (TimeoutException e)
            {
                using var http = broker.ManagementClient();
                var queue = await http.GetStringAsync($"/api/queues/%2F/{CaseworkTopology.CommandCentreQueue}?columns=messages_ready,messages_unacknowledged,consumers");
                throw new TimeoutException(
                    $"{e.Message}: consumed {await Wait.ScalarAsync<long>(db, "SELECT count(DISTINCT case_id) FROM test_effects")}, " +
                    $"outbox pending {await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0")}, " +
                    $"bus restarts {host.Services.GetRequiredService<BusRestarter>().Restarts}, queue {queue}", e);
            }

            await Task.Delay(1000);
            Assert.Equal((long)total, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM test_effects"));
            Assert.Equal((long)total, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.cases"));
            Assert.Equal(0L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0"));
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
