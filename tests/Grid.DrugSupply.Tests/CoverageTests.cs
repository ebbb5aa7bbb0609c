using System.Text.Json;
using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>
/// 两网 coverage against a fixture computed by hand. Town A has a coordinator, town B none; villages A1 and B1 have an
/// informant, A2 none. Points (today 2026-11-19):
/// P1 town A pharmacy, standard; P2 cabinet in A1 (under its compound), standard; P3 chain store on town A's own grid
/// (serves no village), GSP valid, followed up this year; P4 town B pharmacy, failed; P5 cabinet in B1, never inspected;
/// P6 retail pharmacy in B1, GSP expired; P7 chain store in B1, GSP valid, not followed up.
/// </summary>
public class CoverageTests
{
    private static void Staff(GridTree tree)
    {
        tree.Post(GridTree.TownA, DrugRoles.Coordinator, "协管员 王建国");
        tree.Post(GridTree.VillageA1, DrugRoles.Informant, "信息员 李秀英");
        tree.Post(GridTree.VillageB1, DrugRoles.Informant, "信息员 张志强");
    }

    private static async Task SeedAsync(DrugsHost host)
    {
        var authority = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        var p1 = await SupplyPointsTests.FileAsync(host, "P1 城关镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownA, "12410100MB0000000001");
        var p2 = await SupplyPointsTests.FileAsync(host, "P2 东关村便民药柜", SupplyPointKind.VillageCabinet, GridTree.CompoundA1X, "52410100MJ0000000002");
        var p3 = await SupplyPointsTests.FileAsync(host, "P3 百姓大药房城关店", SupplyPointKind.ChainStore, GridTree.TownA, "91410100MA0000000003");
        var p4 = await SupplyPointsTests.FileAsync(host, "P4 柳林镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownB, "12410100MB0000000004");
        await SupplyPointsTests.FileAsync(host, "P5 刘寨村便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageB1, "52410100MJ0000000005");
        var p6 = SupplyPointsTests.Point("P6 刘寨大药房", SupplyPointKind.RetailPharmacy, GridTree.VillageB1, "91410100MA0000000006");
        var expired = JsonSerializer.SerializeToNode(p6, DrugsHost.Json)!.AsObject();
        expired["gspIssuedOn"] = "2020-01-01";
        expired["gspValidUntil"] = "2025-12-31";
        await (await authority.PostJsonAsync("/api/drugs/v1/points", expired)).OkJsonAsync();
        await SupplyPointsTests.FileAsync(host, "P7 百姓大药房刘寨店", SupplyPointKind.ChainStore, GridTree.VillageB1, "91410100MA0000000007");

        await InspectionsTests.InspectAsync(authority, p1, InspectionKind.Daily);
        await InspectionsTests.InspectAsync(authority, p2, InspectionKind.Daily);
        await InspectionsTests.InspectAsync(authority, p3, InspectionKind.GspFollowUp);
        await InspectionsTests.InspectAsync(authority, p4, InspectionKind.Daily, Checklist.AdverseReactionReporting);
    }

    private static (int Count, int Total, decimal? Percent, bool? Met) Of(JsonElement row, string indicator)
    {
        var i = row.GetProperty(indicator);
        return (i.GetProperty("count").GetInt32(), i.GetProperty("total").GetInt32(),
            i.GetProperty("percent").ValueKind == JsonValueKind.Null ? null : i.GetProperty("percent").GetDecimal(),
            i.GetProperty("met").ValueKind == JsonValueKind.Null ? null : i.GetProperty("met").GetBoolean());
    }

    [Fact]
    public async Task The_indicators_per_township_and_in_total_match_the_hand_computed_fixture()
    {
        await using var host = await DrugsHost.StartAsync(staff: Staff);
        await SeedAsync(host);
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        var coverage = await (await county.GetAsync("/api/drugs/v1/coverage")).OkJsonAsync();

        var total = coverage.GetProperty("total");
        Assert.Equal((2, 3, 66.7m, false), Of(total, "villageSupply"));
        Assert.Equal((1, 2, 50.0m, false), Of(total, "townshipStandard"));
        Assert.Equal((1, 2, 50.0m, false), Of(total, "villageStandard"));
        Assert.Equal((2, 3, 66.7m, false), Of(total, "sellersCertified"));

        // Exactly half followed up is not "more than half".
        Assert.Equal((1, 2, 50.0m, false), Of(total, "gspFollowUp"));

        var towns = coverage.GetProperty("townships").EnumerateArray().ToDictionary(t => t.GetProperty("gridId").GetString()!);
        var a = towns[GridTree.TownA];
        Assert.Equal((1, 2, 50.0m, false), Of(a, "villageSupply"));
        Assert.Equal((1, 1, 100.0m, true), Of(a, "townshipStandard"));
        Assert.Equal((1, 1, 100.0m, true), Of(a, "villageStandard"));
        Assert.Equal((1, 1, 100.0m, true), Of(a, "sellersCertified"));
        Assert.Equal((1, 1, 100.0m, true), Of(a, "gspFollowUp"));
        var b = towns[GridTree.TownB];
        Assert.Equal((1, 1, 100.0m, true), Of(b, "villageSupply"));
        Assert.Equal((0, 1, 0.0m, false), Of(b, "townshipStandard"));
        Assert.Equal((0, 1, 0.0m, false), Of(b, "villageStandard"));
        Assert.Equal((1, 2, 50.0m, false), Of(b, "sellersCertified"));
        Assert.Equal((0, 1, 0.0m, false), Of(b, "gspFollowUp"));

        // Over time: at the end of October none of the points was on file yet; this month's row is today's figure.
        var history = (await (await county.GetAsync("/api/drugs/v1/coverage/history?months=2")).OkJsonAsync()).EnumerateArray().ToList();
        Assert.Equal(["2026-10", "2026-11"], history.Select(h => h.GetProperty("month").GetString()));
        Assert.Equal((0, 3, 0.0m, false), Of(history[0].GetProperty("total"), "villageSupply"));
        Assert.Equal((2, 3, 66.7m, false), Of(history[1].GetProperty("total"), "villageSupply"));
        Assert.Equal((1, 2, 50.0m, false), Of(history[1].GetProperty("total"), "gspFollowUp"));
        Assert.Contains("months", await (await county.GetAsync("/api/drugs/v1/coverage/history?months=0")).FieldErrorsAsync());

        // Town A's own view holds town A alone.
        var own = await (await host.As("authority-a", DrugRoles.Authority, GridTree.TownA).GetAsync("/api/drugs/v1/coverage")).OkJsonAsync();
        Assert.Equal(GridTree.TownA, Assert.Single(own.GetProperty("townships").EnumerateArray()).GetProperty("gridId").GetString());
        Assert.Equal((1, 2, 50.0m, false), Of(own.GetProperty("total"), "villageSupply"));
    }

    [Fact]
    public async Task The_blank_spot_report_names_the_township_without_a_coordinator_and_the_village_without_an_informant_or_supply()
    {
        await using var host = await DrugsHost.StartAsync(staff: Staff);
        await SeedAsync(host);
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        var spots = (await (await county.GetAsync("/api/drugs/v1/coverage/blank-spots")).OkJsonAsync()).EnumerateArray()
            .Select(s => $"{s.GetProperty("gridId").GetString()}:{s.GetProperty("gap").GetString()}").ToArray();
        Assert.Equal(["village-a2:no-informant", "village-a2:no-supply-point", "town-b:no-coordinator"], spots);

        // Scoped to a grid the caller holds; another's grid is refused, an unknown one named.
        var townB = host.As("authority-b", DrugRoles.Authority, GridTree.TownB);
        Assert.Equal(["town-b:no-coordinator"], (await (await townB.GetAsync("/api/drugs/v1/coverage/blank-spots")).OkJsonAsync()).EnumerateArray()
            .Select(s => $"{s.GetProperty("gridId").GetString()}:{s.GetProperty("gap").GetString()}").ToArray());
        Assert.Equal("grid", (await (await townB.GetAsync($"/api/drugs/v1/coverage/blank-spots?gridId={GridTree.TownA}")).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(["gridId"], await (await county.GetAsync("/api/drugs/v1/coverage?gridId=nowhere")).FieldErrorsAsync());
        var fire = host.CreateClient(TestTokens.Create("fire-1", [DrugRoles.Authority], ["fire"], ["*"]));
        await (await fire.GetAsync("/api/drugs/v1/coverage")).ProblemAsync(403);
    }
}
