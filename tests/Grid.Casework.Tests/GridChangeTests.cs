using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Casework.Tests;

/// <summary>Cached escalation chains (and a domain's own grid cache) live until the organization announces a grid change, then are asked for again.</summary>
[Collection(CaseworkCollection.Name)]
public class GridChangeTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_grid_change_event_drops_every_instances_cached_chains()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_gridchg");
        var domainCache = new CountingGridCache();
        await using var first = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_gc1"), mq, fx.Grids.Address,
            services: s => s.AddSingleton<IGridCache>(domainCache));
        await using var second = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_gc2"), mq, fx.Grids.Address);
        var chief1 = first.Client(CaseworkHost.Chief());
        var chief2 = second.Client(CaseworkHost.Chief());
        object Report(string title) => new { category = "hazard", severity = "general", title, gridId = GridTree.VillageA1 };

        // Each instance asks once, then answers from its cache.
        var before = fx.Grids.AncestorCalls;
        await first.ReportAsync(chief1, Report("一"));
        await first.ReportAsync(chief1, Report("二"));
        await second.ReportAsync(chief2, Report("三"));
        await second.ReportAsync(chief2, Report("四"));
        Assert.Equal(before + 2, fx.Grids.AncestorCalls);

        // The organization announces a change: both replicas (each on a queue of its own) forget.
        await first.Services.GetRequiredService<IBus>().Publish(new GridChanged
        {
            GridId = GridTree.VillageA1,
            GridCode = "VILLAGE-A1",
            Change = "updated",
            GridPath = [.. GridTree.PathOf(GridTree.VillageA1)],
            OccurredAt = DateTimeOffset.UtcNow,
        });
        var afterChange = fx.Grids.AncestorCalls;
        await Wait.UntilAsync(async () =>
        {
            await first.ReportAsync(chief1, Report("五"));
            return fx.Grids.AncestorCalls > afterChange;
        }, TimeSpan.FromSeconds(15), "the first instance to ask for the chain again");
        var afterFirst = fx.Grids.AncestorCalls;
        await Wait.UntilAsync(async () =>
        {
            await second.ReportAsync(chief2, Report("六"));
            return fx.Grids.AncestorCalls > afterFirst;
        }, TimeSpan.FromSeconds(15), "the second instance to ask for the chain again");

        // The domain's own grid cache heard it too.
        Assert.True(domainCache.Forgotten >= 1);
    }

    private sealed class CountingGridCache : IGridCache
    {
        public int Forgotten;

        public void Forget() => Interlocked.Increment(ref Forgotten);
    }
}
