using Grid.Contracts.Roles;
using Grid.LaborInspection.Domain;
using Grid.Testing;

namespace Grid.LaborInspection.Tests;

/// <summary>人员配备: every labor grid against its minimum, on a hand-made organization.</summary>
public class StaffingTests
{
    /// <summary>
    /// town-a has its two inspectors, town-b one (and an office, which is not an inspector); village-a1 has two
    /// coordinators, village-a2 one, village-b1 none. The compound below village-a1 is of no staffed level.
    /// </summary>
    private static void Fixture(GridTree tree)
    {
        tree.Post(GridTree.TownA, GridRoles.LaborInspector, "监察员 王建国");
        tree.Post(GridTree.TownA, GridRoles.LaborInspector, "兼职监察员 李秀英");
        tree.Post(GridTree.TownB, GridRoles.LaborInspector, "监察员 张志强");
        tree.Post(GridTree.TownB, GridRoles.LaborOffice, "劳动保障所 刘明");
        tree.Post(GridTree.VillageA1, GridRoles.LaborCoordinator, "协管员 陈丽");
        tree.Post(GridTree.VillageA1, GridRoles.LaborCoordinator, "协管员 杨军");
        tree.Post(GridTree.VillageA2, GridRoles.LaborCoordinator, "协管员 赵海燕");
    }

    [Fact]
    public async Task The_report_names_each_grid_below_its_minimum_with_required_and_present()
    {
        await using var host = await LaborHost.StartAsync(null, Fixture);
        var brigade = host.As("brigade-1", LaborRoles.Brigade, GridTree.County);

        var report = await (await brigade.GetAsync("/api/labor/v1/staffing")).OkJsonAsync();
        Assert.Equal(5, report.GetProperty("checkedGrids").GetInt32());
        var below = report.GetProperty("grids").EnumerateArray()
            .Select(g => (g.GetProperty("gridId").GetString(), g.GetProperty("required").GetInt32(), g.GetProperty("present").GetInt32()))
            .OrderBy(g => g.Item1).ToList();
        Assert.Equal([(GridTree.TownB, 2, 1), (GridTree.VillageA2, 2, 1), (GridTree.VillageB1, 2, 0)], below);
        Assert.Equal(4, report.GetProperty("missing").GetInt32());
        var townB = report.GetProperty("grids").EnumerateArray().First(g => g.GetProperty("gridId").GetString() == GridTree.TownB);
        Assert.Equal("专兼职劳动保障监察员", townB.GetProperty("post").GetString());
        Assert.Equal(["监察员 张志强"], townB.GetProperty("people").EnumerateArray().Select(p => p.GetString()));

        // With all=true the grids at their minimum are listed too.
        var all = await (await brigade.GetAsync("/api/labor/v1/staffing?all=true")).OkJsonAsync();
        var townA = all.GetProperty("grids").EnumerateArray().First(g => g.GetProperty("gridId").GetString() == GridTree.TownA);
        Assert.Equal(2, townA.GetProperty("present").GetInt32());
        Assert.Equal(0, townA.GetProperty("missing").GetInt32());

        // Township A's office sees its own grids only: village-a2 is its gap.
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        var mine = await (await office.GetAsync("/api/labor/v1/staffing")).OkJsonAsync();
        Assert.Equal(3, mine.GetProperty("checkedGrids").GetInt32());
        Assert.Equal([GridTree.VillageA2], mine.GetProperty("grids").EnumerateArray().Select(g => g.GetProperty("gridId").GetString()));

        // Another township's grid, an unknown grid, a coordinator: refused.
        Assert.Equal("grid", (await (await office.GetAsync($"/api/labor/v1/staffing?gridId={GridTree.TownB}")).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.True((await (await office.GetAsync("/api/labor/v1/staffing?gridId=nowhere")).ProblemAsync(400)).GetProperty("errors").TryGetProperty("gridId", out _));
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);
        Assert.Equal("role", (await (await coordinator.GetAsync("/api/labor/v1/staffing")).ProblemAsync(403)).GetProperty("claim").GetString());
    }

    [Fact]
    public async Task The_minimums_and_the_roles_counted_are_configuration()
    {
        await using var host = await LaborHost.StartAsync(
            h => h.WithSetting("Labor:Staffing:CoordinatorsPerVillage", "1")
                .WithSetting("Labor:Staffing:InspectorRoles:0", GridRoles.LaborInspector)
                .WithSetting("Labor:Staffing:InspectorRoles:1", GridRoles.LaborOffice),
            Fixture);
        var brigade = host.As("brigade-1", LaborRoles.Brigade);

        // The office counts as an inspector of town-b now; one coordinator is enough: only village-b1 is short.
        var report = await (await brigade.GetAsync("/api/labor/v1/staffing")).OkJsonAsync();
        var below = Assert.Single(report.GetProperty("grids").EnumerateArray());
        Assert.Equal(GridTree.VillageB1, below.GetProperty("gridId").GetString());
        Assert.Equal(1, below.GetProperty("required").GetInt32());
        Assert.Equal(0, below.GetProperty("present").GetInt32());
    }
}
