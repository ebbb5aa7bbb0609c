using Grid.Casework.Messaging;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Grid.Casework.Tests;

public class StalledQueueDetectorTests
{
    [Fact]
    public void A_queue_is_stalled_after_two_looks_in_a_row_with_messages_waiting_and_none_received()
    {
        var d = new StalledQueueDetector();
        Assert.False(d.Observe("q", messages: 5, delivered: 10));
        Assert.False(d.Observe("q", messages: 5, delivered: 10));
        Assert.True(d.Observe("q", messages: 7, delivered: 10));

        // Receiving anything, or an empty queue, in between starts the count again: a slow consumer is not stalled.
        Assert.False(d.Observe("q", messages: 900, delivered: 11));
        Assert.False(d.Observe("q", messages: 900, delivered: 11));
        Assert.False(d.Observe("q", messages: 0, delivered: 11));
        Assert.False(d.Observe("q", messages: 3, delivered: 11));

        // Queues are counted apart.
        Assert.False(d.Observe("other", messages: 1, delivered: 0));
        Assert.True(d.Observe("q", messages: 3, delivered: 11));
        d.Reset();
        Assert.False(d.Observe("q", messages: 3, delivered: 11));
        Assert.False(d.Observe("q", messages: 3, delivered: 11));
    }
}

/// <summary>A queue of the service left with messages and no consumer makes the watchdog restart the bus, which then consumes again.</summary>
[Collection(CaseworkCollection.Name)]
public class ConsumerWatchdogTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_queue_without_its_consumer_restarts_the_bus_and_consumption_goes_on()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_watchdog");
        var db = await fx.Infra.CreateDatabaseAsync("cw_watchdog");
        await Wait.ScalarAsync<int>(db, "CREATE TABLE test_effects (case_id uuid NOT NULL); SELECT 1");

        // A watched queue holding a message that nobody here takes: what a consumer lost on a hung channel looks
        // like from the broker.
        const string orphan = "watchdog-orphan";
        var factory = new ConnectionFactory { Uri = new Uri(mq) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var ch = await conn.CreateChannelAsync();
        await ch.QueueDeclareAsync(orphan, durable: true, exclusive: false, autoDelete: false);
        await ch.BasicPublishAsync("", orphan, "waiting"u8.ToArray());

        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address,
            configure: o => o.ConfigureMessaging = m => m.AddConsumer<CountingConsumer>(CaseworkTopology.CommandCentreQueue));

        // The service's own watchdog watches the queues it consumes.
        Assert.Equal([CaseworkTopology.CommandCentreQueue, CaseworkTopology.CaseworkQueue("fire")],
            host.Services.GetRequiredService<MessagingSettings>().WatchedQueues.Order(StringComparer.Ordinal));

        // A watchdog over the orphan queue, restarting the service's own bus, looking every 300 ms.
        var restarter = host.Services.GetRequiredService<BusRestarter>();
        var watchdog = new ConsumerWatchdog(
            new MessagingSettings { AmqpUri = mq, WatchdogInterval = TimeSpan.FromMilliseconds(300), WatchedQueues = [orphan] },
            host.Services.GetRequiredService<DeliveryCounter>(), restarter, NullLogger<ConsumerWatchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(restarter.Restarts >= 1), TimeSpan.FromSeconds(30), "the watchdog to restart the bus");

            // Once the queue is drained the watchdog is quiet again, and the restarted bus consumes.
            Assert.NotNull(await ch.BasicGetAsync(orphan, autoAck: true));
            var restarts = restarter.Restarts;
            var chief = host.Client(CaseworkHost.Chief());
            var report = await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "看门狗", gridId = GridTree.VillageA1 });
            await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM test_effects WHERE case_id = $1", report.Id) == 1,
                TimeSpan.FromSeconds(30), "the report's event to be consumed after the restart");
            await Task.Delay(1500);
            Assert.InRange(restarter.Restarts, restarts, restarts + 1);
            Assert.Equal(1L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM test_effects WHERE case_id = $1", report.Id));
        }
        finally
        {
            await watchdog.StopAsync(CancellationToken.None);
        }
    }
}
