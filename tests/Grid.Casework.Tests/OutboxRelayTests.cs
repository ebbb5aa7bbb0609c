using System.Diagnostics;
using Grid.Messaging;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>The relay's low-water mark on a real database and broker: a slow transaction's event is not left behind.</summary>
[Collection(CaseworkCollection.Name)]
public class OutboxRelayTests(CaseworkFixture fx)
{
    private static object Report() => new { category = "hazard", severity = "general", title = "堵塞消防通道", gridId = GridTree.VillageA1 };

    [Fact]
    public async Task An_event_committed_after_later_ones_goes_out_at_once_and_a_rolled_back_number_holds_nothing_up()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_floor");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_floor");
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address);
        var chief = host.Client(CaseworkHost.Chief());
        var relay = host.Services.GetRequiredService<OutboxRelay>();
        Task<long> Pending() => Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0");
        await host.ReportAsync(chief, Report());
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(20), "the first report's event published");

        // A slow transaction takes the next outbox number and stays open; another takes one and rolls back.
        const string copy = """
            INSERT INTO casework.outbox (event_id, event_type, case_id, payload)
            SELECT gen_random_uuid(), event_type, case_id, payload FROM casework.outbox WHERE event_type = 'CaseReported' LIMIT 1
            RETURNING seq
            """;
        await using var slow = new NpgsqlConnection(db);
        await slow.OpenAsync();
        await using var slowTx = await slow.BeginTransactionAsync();
        long slowSeq;
        await using (var cmd = new NpgsqlCommand(copy, slow, slowTx))
        {
            slowSeq = (long)(await cmd.ExecuteScalarAsync())!;
        }

        await using (var gone = new NpgsqlConnection(db))
        {
            await gone.OpenAsync();
            await using var goneTx = await gone.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand(copy, gone, goneTx);
            await cmd.ExecuteScalarAsync();
            await goneTx.RollbackAsync();
        }

        // Later reports commit and go out while the slow one is open; the mark stays below it.
        await host.ReportAsync(chief, Report());
        await host.ReportAsync(chief, Report());
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(20), "the later reports' events published");
        Assert.True(await Wait.ScalarAsync<long>(db, "SELECT max(seq) FROM casework.outbox") > slowSeq + 1);
        Assert.True(relay.LowWaterMark < slowSeq, $"mark {relay.LowWaterMark} passed the open transaction's number {slowSeq}");

        // Committed after them, the slow one goes out within a poll or two — not at the next full poll, 30 s on.
        await slowTx.CommitAsync();
        var clock = Stopwatch.StartNew();
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(25), "the slow transaction's event published");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"published after {clock.Elapsed.TotalSeconds:F1} s");

        // The rolled-back number held the mark for the gap timeout (5 s), then the mark passes every row.
        var last = await Wait.ScalarAsync<long>(db, "SELECT max(seq) FROM casework.outbox");
        await Wait.UntilAsync(() => Task.FromResult(relay.LowWaterMark >= last), TimeSpan.FromSeconds(20), "the mark past the rolled-back number");
    }
}
