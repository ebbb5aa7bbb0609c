using Grid.Testing;

namespace Grid.Casework.Tests;

/// <summary>PostgreSQL's upkeep kept off the hot path: the storage settings the schema gives the tables every change writes.</summary>
[Collection(CaseworkCollection.Name)]
public class SchemaUpkeepTests(CaseworkFixture fx)
{
    [Fact]
    public async Task Vacuum_never_truncates_the_tables_every_report_writes_and_autovacuums_the_hot_ones_in_slower_steps()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_upkeep");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_upkeep");
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address);

        Task<string> Options(string table) =>
            Wait.ScalarAsync<string>(db, $"SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = '{table}'::regclass");

        // Truncating an emptied tail takes an exclusive lock that every report would queue behind.
        Assert.Contains("vacuum_truncate=false", await Options("casework_audit.queue"));
        Assert.Contains("vacuum_truncate=false", await Options("casework.case_numbers"));
        foreach (var table in new[] { "casework.outbox", "casework.inbox", "casework_audit.entries", "casework_audit.queue", "casework.cases" })
        {
            Assert.Contains("autovacuum_vacuum_cost_delay=10", await Options(table));
        }
    }
}
