using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.DrugSupply.Tests;

/// <summary>The demo data under ./grid up, loaded over the test tree: points with gaps, inspections, one confirmed fake batch.</summary>
public class DemoDataTests
{
    [Fact]
    public async Task The_demo_loads_points_with_a_supply_gap_inspections_rectifications_and_one_fake_batch_blocked_where_it_went()
    {
        await using var host = await DrugsHost.StartAsync(h => h.WithSetting("Grid:SeedDemoData", "true"), StaffTests.Posts);
        Assert.True(await host.Services.GetRequiredService<DemoDataLoader<DemoData>>().Completed.WaitAsync(TimeSpan.FromSeconds(60)));

        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        var points = (await (await county.GetAsync("/api/drugs/v1/points")).OkJsonAsync()).EnumerateArray().ToList();

        // Two townships (a pharmacy and a chain store each) and a cabinet in each of the three villages (the demo county's
        // supply gaps are every seventh village from the fourth, which this tree does not reach).
        Assert.Equal(2, points.Count(p => p.GetProperty("kind").GetString() == "TownshipPharmacy"));
        Assert.Equal(2, points.Count(p => p.GetProperty("kind").GetString() == "ChainStore"));
        var spots = (await (await county.GetAsync("/api/drugs/v1/coverage/blank-spots")).OkJsonAsync()).EnumerateArray()
            .Where(s => s.GetProperty("gap").GetString() == Gaps.NoSupplyPoint).Select(s => s.GetProperty("gridId").GetString()).ToList();
        Assert.Empty(spots);
        Assert.Equal(3, points.Count(p => p.GetProperty("kind").GetString() == "VillageCabinet"));

        // Every point inspected once; the fake batch's sample confirmed, a major case at the top, recalls at every holder.
        Assert.Equal(points.Count, await host.CountAsync("drugs.inspections", "NOT \"ReInspection\""));
        Assert.Equal(1, await host.CountAsync("drugs.samples", "\"Verdict\" = 'Fake'"));
        Assert.Equal(1, await host.CountAsync("casework.cases", $"category = 'fake-drug' AND severity = 'major' AND holder_grid_id = '{GridTree.County}'"));
        Assert.Equal(await host.CountAsync("(SELECT DISTINCT \"PointId\" FROM drugs.purchases WHERE \"BatchNumber\" = 'B20260815') h"), await host.CountAsync("drugs.recalls"));
        var failed = await host.CountAsync("drugs.inspections", "NOT \"Passed\" AND NOT \"ReInspection\"");
        Assert.True(failed >= 1, "a failed inspection in the season");
        Assert.Equal(failed, await host.CountAsync("casework.cases", "category = 'rectification'"));

        // The posted coordinator and informants appointed with their files, the first informant of the last township by name dismissed (a gap again);
        // the first township's cabinets on a plan; its silent cabinet found by the scan.
        Assert.Equal(3, await host.CountAsync("drugs.staff"));
        Assert.Equal(1, await host.CountAsync("drugs.staff", "\"DismissedOn\" IS NOT NULL"));
        Assert.Equal(6, await host.CountAsync("drugs.staff_entries", "\"Kind\" = 'Assessment'"));
        var informantGaps = (await (await county.GetAsync("/api/drugs/v1/coverage/blank-spots")).OkJsonAsync()).EnumerateArray()
            .Count(s => s.GetProperty("gap").GetString() == Gaps.NoInformant);
        Assert.Equal(2, informantGaps);
        Assert.True(await host.CountAsync("drugs.inspection_plans") >= 1, "a plan in the first township");
        Assert.Single((await host.Service<SilentSensors>().ScanAsync(CancellationToken.None)).Cases);
        var compliance = await (await county.GetAsync("/api/drugs/v1/inspections/compliance")).OkJsonAsync();
        Assert.Equal(2, compliance.GetProperty("townships").GetArrayLength());

        // A second start on the same database adds nothing.
        var filed = await host.CountAsync("drugs.supply_points");
        var cases = await host.CountAsync("casework.cases");
        await using var again = await DrugsHost.StartAsync(h => h.WithSetting("Grid:SeedDemoData", "true").WithConnectionString("drugsdb", host.ConnectionString));
        Assert.True(await again.Services.GetRequiredService<DemoDataLoader<DemoData>>().Completed.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(filed, await Wait.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM drugs.supply_points"));
        Assert.Equal(cases, await Wait.ScalarAsync<long>(host.ConnectionString, "SELECT count(*) FROM casework.cases"));
    }
}
