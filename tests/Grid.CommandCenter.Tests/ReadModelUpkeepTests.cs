using Grid.Testing;

namespace Grid.CommandCenter.Tests;

/// <summary>The read model every event writes kept clear of PostgreSQL's upkeep stalls.</summary>
public class ReadModelUpkeepTests
{
    [Fact]
    public async Task The_case_read_model_has_no_gin_pending_list_and_is_autovacuumed_in_slower_steps()
    {
        await using var host = new CommandCenterHost();
        await host.InitializeAsync();

        Task<string> Options(string relation) =>
            Wait.ScalarAsync<string>(host.Database, $"SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = '{relation}'::regclass");

        // A pending list is merged by autovacuum in one go, and the projection waited for it.
        Assert.Contains("fastupdate=off", await Options("ix_cc_cases_path"));
        Assert.Contains("autovacuum_vacuum_cost_delay=10", await Options("cc_cases"));
    }
}
