using Grid.Casework.Infrastructure;
using Grid.Testing;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>Case numbers taken in blocks by two replicas on one real database: never twice, rising within a replica, a new series each day.</summary>
[Collection(CaseworkCollection.Name)]
public class CaseNumberBlocksTests(CaseworkFixture fx)
{
    [Fact]
    public async Task Two_replicas_never_give_the_same_number_and_each_counts_up()
    {
        var cs = await fx.Infra.CreateDatabaseAsync("cw_numbers");
        await using var data = NpgsqlDataSource.Create(cs);
        await CaseworkSchema.EnsureAsync(data, cases: true, CancellationToken.None);
        await using var a = new CaseNumberBlocks(cs, 5);
        await using var b = new CaseNumberBlocks(cs, 5);
        var day = new DateOnly(2026, 12, 1);

        async Task<List<long>> Take(CaseNumberBlocks blocks)
        {
            var taken = new List<long>();
            for (var i = 0; i < 23; i++)
            {
                taken.Add(await blocks.NextAsync("FIRE", day, CancellationToken.None));
            }

            return taken;
        }

        var both = await Task.WhenAll(Task.Run(() => Take(a)), Task.Run(() => Take(b)));
        var all = both.SelectMany(n => n).ToList();
        Assert.Equal(46, all.Distinct().Count());
        Assert.All(both, taken => Assert.Equal(taken.Order(), taken));
        // Each replica reserved whole blocks of 5 and left the rest of its last one: 2 × 25 reserved, 46 used.
        Assert.Equal(50, await Wait.ScalarAsync<long>(cs, "SELECT last FROM casework.case_numbers WHERE prefix = 'FIRE' AND day = '2026-12-01'"));
        Assert.True(all.Min() >= 1 && all.Max() <= 50);

        // The next day starts its own series; another prefix has its own.
        Assert.Equal(1, await a.NextAsync("FIRE", day.AddDays(1), CancellationToken.None));
        Assert.Equal(2, await a.NextAsync("FIRE", day.AddDays(1), CancellationToken.None));
        Assert.Equal(1, await a.NextAsync("ENVIRONMENT", day.AddDays(1), CancellationToken.None));
        Assert.Equal(6, await b.NextAsync("FIRE", day.AddDays(1), CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CaseNumberBlocks(cs, 0));
    }

    [Fact]
    public async Task Reports_that_hold_every_pooled_connection_still_get_their_numbers()
    {
        // Three pooled connections, a new block for every report, thirty reports at once: numbers are reserved on a
        // pool of their own, so a report holding one of the three never waits for another to number its case.
        var db = new NpgsqlConnectionStringBuilder(await fx.Infra.CreateDatabaseAsync("cw_numpool")) { MaxPoolSize = 3, Timeout = 10 }.ConnectionString;
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_numpool");
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address,
            settings: new() { ["Casework:CaseNumberBlock"] = "1" });
        var chief = host.Client(CaseworkHost.Chief());
        var cases = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "堵塞消防通道", gridId = GridTree.VillageA1 })));
        Assert.Equal(30, cases.Select(c => c.Number).Distinct().Count());
        Assert.Equal(30, await Wait.ScalarAsync<long>(db, "SELECT last FROM casework.case_numbers"));
    }
}
