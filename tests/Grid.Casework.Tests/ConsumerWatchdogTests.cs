using Grid.Messaging;
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

/// <summary>
/// A queue of the service left with messages and no consumer makes the watchdog restart the bus, which then consumes
/// again; when a restart does not bring the consumer back, the watchdog gives up and the liveness check fails.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class ConsumerWatchdogTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_queue_without_its_consumer_restarts_the_bus_and_consumption_goes_on()
    {
        await using var s = await OrphanQueue.StartAsync(fx, "cw_watchdog", "watchdog-orphan");

        // The service's own watchdog watches the queues it consumes.
        Assert.Equal([CaseworkTopology.CommandCentreQueue, CaseworkTopology.CaseworkQueue("fire")],
            s.Host.Services.GetRequiredService<MessagingSettings>().WatchedQueues.Order(StringComparer.Ordinal));

        await Wait.UntilAsync(() => Task.FromResult(s.Restarter.Restarts >= 1), TimeSpan.FromSeconds(30), "the watchdog to restart the bus");

        // Once the queue is drained the watchdog is quiet again, and the restarted bus consumes.
        Assert.NotNull(await s.Channel.BasicGetAsync(s.Queue, autoAck: true));
        var restarts = s.Restarter.Restarts;
        var report = await s.Host.ReportAsync(s.Client, new { category = "hazard", severity = "general", title = "看门狗", gridId = GridTree.VillageA1 });
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(s.Database, "SELECT count(*) FROM test_effects WHERE case_id = $1", report.Id) == 1,
            TimeSpan.FromSeconds(30), "the report's event to be consumed after the restart");
        await Task.Delay(1500);
        Assert.InRange(s.Restarter.Restarts, restarts, restarts + 1);
        Assert.Equal(1L, await Wait.ScalarAsync<long>(s.Database, "SELECT count(*) FROM test_effects WHERE case_id = $1", report.Id));
    }

    [Fact]
    public async Task A_consumer_a_restart_does_not_bring_back_fails_the_liveness_check_instead_of_restarting_for_ever()
    {
        await using var s = await OrphanQueue.StartAsync(fx, "cw_giveup", "giveup-orphan", checkAlive: true);

        // One restart, then - stalled again with nothing received since - the watchdog gives up.
        await Wait.UntilAsync(() => Task.FromResult(s.Restarter.Broken is not null), TimeSpan.FromSeconds(30), "the watchdog to give up");
        Assert.Equal(1, s.Restarter.Restarts);
        Assert.Contains(s.Queue, s.Restarter.Broken);
        await Task.Delay(1000);
        Assert.Equal(1, s.Restarter.Restarts);

        // The orchestrator's liveness probe now fails, naming the bus; the service's API still answers meanwhile.
        using var alive = await s.Client.GetAsync("/alive");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, alive.StatusCode);
        using var health = await s.Client.GetAsync("/health");
        var healthText = await health.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("bus", healthText);
        Assert.Contains("did not bring the consumer back", healthText);
        var report = await s.Host.ReportAsync(s.Client, new { category = "hazard", severity = "general", title = "存活探针", gridId = GridTree.VillageA1 });
        Assert.NotEqual(Guid.Empty, report.Id);
    }

    [Fact]
    public async Task A_bus_stop_that_outlives_its_deadline_fails_the_liveness_check_instead_of_starting_a_half_stopped_bus()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_stopdeadline");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_stopdeadline");
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address);
        var client = host.Client(CaseworkHost.Chief());
        using (var before = await client.GetAsync("/alive"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, before.StatusCode);
        }

        // A bus not yet started stops at once; this is about one that runs.
        var bus = (MassTransit.IBusControl)host.Services.GetRequiredService<MassTransit.IBus>();
        await Wait.UntilAsync(() => Task.FromResult(bus.CheckHealth().Status == MassTransit.BusHealthStatus.Healthy), TimeSpan.FromSeconds(30), "the bus to start");

        // No bus stops in no time: the deadline passes while the stop goes on, as a stop hung on a dead channel's
        // cancel does. Starting then would find a bus MassTransit still counts as started, and start nothing.
        host.Services.GetRequiredService<MessagingSettings>().BusStopTimeout = TimeSpan.Zero;
        var restarter = host.Services.GetRequiredService<BusRestarter>();
        await restarter.RestartAsync("a stop that outlives its deadline", CancellationToken.None);

        Assert.Equal(0, restarter.Restarts);
        Assert.Contains("did not stop within", restarter.Broken);
        using (var alive = await client.GetAsync("/alive"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, alive.StatusCode);
        }

        using (var health = await client.GetAsync("/health"))
        {
            Assert.Contains("did not stop within", await health.Content.ReadAsStringAsync());
        }

        // Nothing more is tried in this process: the orchestrator replaces it.
        await restarter.RestartAsync("once more", CancellationToken.None);
        Assert.Equal(0, restarter.Restarts);
    }

    /// <summary>
    /// A watched queue holding a message that nobody here takes (what a consumer lost on a hung channel looks like
    /// from the broker), a casework host, and a watchdog over that queue restarting the host's bus, looking every 300 ms.
    /// </summary>
    private sealed class OrphanQueue : IAsyncDisposable
    {
        public required string Queue { get; init; }

        public required string Database { get; init; }

        public required IConnection Connection { get; init; }

        public required IChannel Channel { get; init; }

        public required CaseworkHost Host { get; init; }

        public required HttpClient Client { get; init; }

        public required BusRestarter Restarter { get; init; }

        public required ConsumerWatchdog Watchdog { get; init; }

        public static async Task<OrphanQueue> StartAsync(CaseworkFixture fx, string name, string queue, bool checkAlive = false)
        {
            var mq = await fx.Infra.CreateVirtualHostAsync(name);
            var db = await fx.Infra.CreateDatabaseAsync(name);
            await Wait.ScalarAsync<int>(db, "CREATE TABLE test_effects (case_id uuid NOT NULL); SELECT 1");
            var conn = await new ConnectionFactory { Uri = new Uri(mq) }.CreateConnectionAsync();
            var ch = await conn.CreateChannelAsync();
            await ch.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await ch.BasicPublishAsync("", queue, "waiting"u8.ToArray());

            var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address,
                configure: o => o.ConfigureMessaging = m => m.AddConsumer<CountingConsumer>(CaseworkTopology.CommandCentreQueue));
            var client = host.Client(CaseworkHost.Chief());
            if (checkAlive)
            {
                using var alive = await client.GetAsync("/alive");
                Assert.Equal(System.Net.HttpStatusCode.OK, alive.StatusCode);
            }

            var restarter = host.Services.GetRequiredService<BusRestarter>();
            var watchdog = new ConsumerWatchdog(
                new MessagingSettings { AmqpUri = mq, WatchdogInterval = TimeSpan.FromMilliseconds(300), WatchedQueues = [queue] },
                host.Services.GetRequiredService<DeliveryCounter>(), restarter, NullLogger<ConsumerWatchdog>.Instance);
            await watchdog.StartAsync(CancellationToken.None);
            return new OrphanQueue { Queue = queue, Database = db, Connection = conn, Channel = ch, Host = host, Client = client, Restarter = restarter, Watchdog = watchdog };
        }

        public async ValueTask DisposeAsync()
        {
            await Watchdog.StopAsync(CancellationToken.None);
            await Host.DisposeAsync();
            await Channel.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
