using System.Diagnostics;
using Grid.LocalServers;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grid.Casework.Tests;

/// <summary>
/// The suite starts services beside their booting broker. A service's bus must be up soon after the broker answers,
/// not after MassTransit's connection back-off (attempts at 0, 1, about 5 and about 15 s), which kept the suite's
/// services unready for seconds after the broker was up.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class BusStartTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_service_started_before_its_broker_has_its_bus_up_within_seconds_of_the_broker_answering()
    {
        var mq = new Uri(await fx.Infra.CreateVirtualHostAsync("cw_late_broker"));
        var db = await fx.Infra.CreateDatabaseAsync("cw_late_broker");
        // Nothing listens on this port yet: every connection is refused, as while a broker boots.
        var port = FreePort.Next();
        await using var host = await CaseworkHost.StartAsync("fire", db, new UriBuilder(mq) { Port = port }.Uri.ToString(), fx.Grids.Address);
        var health = host.Services.GetRequiredService<HealthCheckService>();
        async Task<bool> BusUpAsync() => (await health.CheckHealthAsync(c => c.Name == "masstransit-bus")).Status == HealthStatus.Healthy;

        // The broker's boot: long enough for MassTransit's own retries to be about 10 s apart by its end.
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.False(await BusUpAsync());

        await using var broker = await SilentProxy.StartAsync(mq.Port, port, silent: false);
        var answering = Stopwatch.StartNew();
        await Wait.UntilAsync(BusUpAsync, TimeSpan.FromSeconds(30), "the bus to be up");
        Assert.True(answering.Elapsed < TimeSpan.FromSeconds(4), $"the bus was up {answering.Elapsed.TotalSeconds:F1} s after the broker answered");
    }
}
