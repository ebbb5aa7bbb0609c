using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>
/// Inspection plans and the compliance view, computed by hand. Points filed on 2026-11-19; the clock then moves to
/// 2026-12-29 and the period is 11-19 … 12-28. P1 town A pharmacy, default 30 days: one window (11-19…12-18), inspected
/// 12-05 — done, next due 01-04. P2 cabinet in village A1, its own plan of 10 days: four windows, inspected 11-20 and
/// 11-22 (both in the first) and 12-10 (the third) — 2 of 4, due again 12-20, overdue. P3 chain store in village B1,
/// default 30: one window, only a surprise check (12-01) — 0 of 1, due 12-19, overdue.
/// </summary>
public class PlansTests
{
    private static object Daily(string on, InspectionKind kind = InspectionKind.Daily) => new { kind, on, items = InspectionsTests.Items() };

    [Fact]
    public async Task Required_against_done_per_township_and_in_total_with_surprise_checks_apart_and_the_overdue_points_listed()
    {
        await using var host = await DrugsHost.StartAsync();
        var p1 = await SupplyPointsTests.FileAsync(host, "P1 城关镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownA, "12410100MB0000000001");
        var p2 = await SupplyPointsTests.FileAsync(host, "P2 东关村便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000000002");
        var p3 = await SupplyPointsTests.FileAsync(host, "P3 百姓大药房刘寨店", SupplyPointKind.ChainStore, GridTree.VillageB1, "91410100MA0000000003");
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);

        // The plan: the authority's; 0 days is no plan; a coordinator may not set one.
        var plan = await (await county.PutAsJsonAsync($"/api/drugs/v1/points/{p2}/plan", new { everyDays = 10 }, DrugsHost.Json)).OkJsonAsync();
        Assert.Equal(("point", 10), (plan.GetProperty("source").GetString(), plan.GetProperty("everyDays").GetInt32()));
        Assert.Equal(["everyDays"], await (await county.PutAsJsonAsync($"/api/drugs/v1/points/{p1}/plan", new { everyDays = 0 }, DrugsHost.Json)).FieldErrorsAsync());
        await (await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).PutAsJsonAsync($"/api/drugs/v1/points/{p1}/plan", new { everyDays = 7 }, DrugsHost.Json)).ProblemAsync(403);
        var p1Plan = await (await county.GetAsync($"/api/drugs/v1/points/{p1}/plan")).OkJsonAsync();
        Assert.Equal(("default", 30), (p1Plan.GetProperty("source").GetString(), p1Plan.GetProperty("everyDays").GetInt32()));

        host.Time.Advance(TimeSpan.FromDays(40));
        foreach (var (point, body) in new[]
        {
            (p1, Daily("2026-12-05")), (p2, Daily("2026-11-20")), (p2, Daily("2026-11-22")), (p2, Daily("2026-12-10")),
            (p3, Daily("2026-12-01", InspectionKind.Surprise)),
        })
        {
            await (await county.PostJsonAsync($"/api/drugs/v1/points/{point}/inspections", body)).OkJsonAsync();
        }

        var view = await (await county.GetAsync("/api/drugs/v1/inspections/compliance?from=2026-11-19&to=2026-12-28")).OkJsonAsync();
        static (int, int, decimal?, int, int) Of(System.Text.Json.JsonElement r) => (r.GetProperty("required").GetInt32(), r.GetProperty("done").GetInt32(),
            r.GetProperty("rate").ValueKind == System.Text.Json.JsonValueKind.Null ? null : r.GetProperty("rate").GetDecimal(),
            r.GetProperty("surprise").GetInt32(), r.GetProperty("overdue").GetInt32());
        Assert.Equal((6, 3, 50.0m, 1, 2), Of(view.GetProperty("total")));
        var towns = view.GetProperty("townships").EnumerateArray().ToDictionary(t => t.GetProperty("gridId").GetString()!);
        Assert.Equal((5, 3, 60.0m, 0, 1), Of(towns[GridTree.TownA]));
        Assert.Equal((1, 0, 0.0m, 1, 1), Of(towns[GridTree.TownB]));
        var overdue = view.GetProperty("overdue").EnumerateArray().Select(o => (o.GetProperty("pointId").GetGuid(), o.GetProperty("dueOn").GetString()!)).ToArray();
        Assert.Equal(new[] { (p3, "2026-12-19"), (p2, "2026-12-20") }, overdue);

        var p1Now = await (await county.GetAsync($"/api/drugs/v1/points/{p1}/plan")).OkJsonAsync();
        Assert.Equal(("2026-12-05", "2027-01-04", false), (p1Now.GetProperty("lastDailyOn").GetString(), p1Now.GetProperty("dueOn").GetString(), p1Now.GetProperty("overdue").GetBoolean()));

        // Town B's coordinator sees town B only; a period ending before it starts is named.
        var townB = await (await host.As("coord-b", DrugRoles.Coordinator, GridTree.TownB).GetAsync("/api/drugs/v1/inspections/compliance?from=2026-11-19&to=2026-12-28")).OkJsonAsync();
        Assert.Equal((1, 0, 0.0m, 1, 1), Of(townB.GetProperty("total")));
        Assert.Equal(["to"], await (await county.GetAsync("/api/drugs/v1/inspections/compliance?from=2026-12-01&to=2026-11-01")).FieldErrorsAsync());

        // Back to the default of its kind (60 days for a cabinet): one window not yet ended, nothing required.
        await (await county.DeleteAsync($"/api/drugs/v1/points/{p2}/plan")).ReadAsStringAsync();
        var after = await (await county.GetAsync($"/api/drugs/v1/points/{p2}/plan")).OkJsonAsync();
        Assert.Equal(("default", 60, false), (after.GetProperty("source").GetString(), after.GetProperty("everyDays").GetInt32(), after.GetProperty("overdue").GetBoolean()));
    }
}
