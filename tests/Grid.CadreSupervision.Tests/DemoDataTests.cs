using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>The demo data ./grid up loads, against the test organization (two townships, one bureau it knows by code).</summary>
public sealed class DemoDataTests
{
    [Fact]
    public async Task Demo_data_has_cadres_reports_with_sealed_residents_and_a_unit_at_three_warnings()
    {
        await using var host = await CadreHost.StartAsync(h =>
        {
            h.WithSetting("Grid:SeedDemoData", "true");
            h.WithSetting("Cadre:Monthly:GridDepth", "2");
            h.WithSetting("Cadre:Groups:GridDepth", "2");
        });
        await Wait.UntilAsync(async () => await host.CountAsync("cadre.warnings") == 4, TimeSpan.FromSeconds(60), "the demo data loaded");

        Assert.Equal(6, await host.CountAsync("cadre.cadres"));
        Assert.Equal(3, await host.CountAsync("casework.cases", "category = 'conduct'"));
        Assert.Equal(3, await host.CountAsync("casework.reporters"));
        var tasks = await (await host.Discipline().GetAsync("/api/cadre/v1/units/environment-bureau/tasks")).OkJsonAsync();
        Assert.Contains(tasks.EnumerateArray(), t => t.GetProperty("kind").GetString() == "written-explanation");
        var groups = await (await host.Discipline().GetAsync("/api/cadre/v1/groups/report")).OkJsonAsync();
        Assert.Equal(2, groups.GetProperty("problems").GetArrayLength()); // one without a group, one with six supervisors
        Assert.DoesNotContain("居民1", await host.DumpAsync("casework.outbox"));

        // This year's two-way evaluation has combined results to show, and they are on the files' audit chains.
        var evaluations = await (await host.Discipline().GetAsync("/api/cadre/v1/evaluations?year=2026")).OkJsonAsync();
        Assert.Equal(6, evaluations.GetProperty("cadres").EnumerateArray().Count(c => c.GetProperty("combined").ValueKind == System.Text.Json.JsonValueKind.Number));
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", "action = 'unit-assessment'") == 6, TimeSpan.FromSeconds(20), "the scores chained");
    }
}
