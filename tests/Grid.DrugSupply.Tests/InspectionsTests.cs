using System.Text.Json;
using Grid.Casework.Application;
using Grid.DrugSupply.Domain;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.DrugSupply.Tests;

/// <summary>The standard-pharmacy checklist (四有两个统一): all six pass, or a rectification case with a deadline and a re-inspection.</summary>
public class InspectionsTests
{
    internal static Dictionary<string, bool> Items(params string[] failed) => Checklist.Items.ToDictionary(i => i, i => !failed.Contains(i));

    internal static object Inspection(InspectionKind kind, params string[] failed) => new { kind, items = Items(failed), notes = "现场检查" };

    internal static async Task<JsonElement> InspectAsync(HttpClient client, Guid point, InspectionKind kind, params string[] failed) =>
        await (await client.PostJsonAsync($"/api/drugs/v1/points/{point}/inspections", Inspection(kind, failed))).OkJsonAsync();

    private static async Task<JsonElement> PointAsync(HttpClient c, Guid id) => await (await c.GetAsync($"/api/drugs/v1/points/{id}")).OkJsonAsync();

    [Fact]
    public async Task A_failed_item_opens_a_rectification_with_a_deadline_that_a_passing_re_inspection_closes()
    {
        await using var host = await DrugsHost.StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "东关村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000001A");
        var coordinator = host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA);
        var authority = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);

        // All six: a standard pharmacy since today, and no case.
        var passed = await InspectAsync(coordinator, point, InspectionKind.Daily);
        Assert.True(passed.GetProperty("inspection").GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, passed.GetProperty("rectification").ValueKind);
        Assert.Equal("2026-11-19", (await PointAsync(coordinator, point)).GetProperty("standardSince").GetString());

        // A surprise inspection finds the prices not unified: the point is no longer standard, a case orders rectification in 15 days.
        host.Time.Advance(TimeSpan.FromDays(3));
        var failed = await InspectAsync(coordinator, point, InspectionKind.Surprise, Checklist.UnifiedPricing);
        Assert.Equal([Checklist.UnifiedPricing], failed.GetProperty("inspection").GetProperty("failed").EnumerateArray().Select(f => f.GetString()!).ToArray());
        var rectification = failed.GetProperty("rectification");
        var caseId = rectification.GetProperty("caseId").GetGuid();
        Assert.Equal("dispatched", rectification.GetProperty("state").GetString());
        Assert.Equal(host.Time.GetUtcNow().AddDays(15), rectification.GetProperty("deadline").GetDateTimeOffset());
        Assert.False((await PointAsync(coordinator, point)).GetProperty("standard").GetBoolean());
        var opened = await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync();
        Assert.Equal("rectification", opened.GetProperty("category").GetString());
        Assert.Contains("统一价格", opened.GetProperty("title").GetString());
        Assert.Equal(caseId, (await (await coordinator.GetAsync($"/api/drugs/v1/points/{point}/inspections")).OkJsonAsync())[0].GetProperty("caseId").GetGuid());

        // Re-inspection is the authority's: a coordinator is refused, nothing recorded; a still-failing one leaves the case open.
        var reinspect = $"/api/drugs/v1/rectifications/{caseId}/reinspect";
        Assert.Equal("role", (await (await coordinator.PostJsonAsync(reinspect, new { items = Items() })).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(["items.unifiedLabelling"], await (await authority.PostJsonAsync(reinspect, new { items = Items().Where(i => i.Key != Checklist.UnifiedLabelling).ToDictionary() })).FieldErrorsAsync());
        Assert.Equal(2, await host.CountAsync("drugs.inspections"));
        var still = await (await authority.PostJsonAsync(reinspect, new { items = Items(Checklist.UnifiedPricing) })).OkJsonAsync();
        Assert.Equal("dispatched", still.GetProperty("state").GetString());

        // Rectified: six of six, the case is closed with the re-inspection as its result, the point standard again.
        host.Time.Advance(TimeSpan.FromDays(5));
        var closed = await (await authority.PostJsonAsync(reinspect, new { items = Items(), notes = "已统一价格标签" })).OkJsonAsync();
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        var done = await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync();
        Assert.Equal("closed", done.GetProperty("state").GetString());
        Assert.Contains("复查合格", done.GetProperty("result").GetString());
        var after = await PointAsync(coordinator, point);
        Assert.True(after.GetProperty("standard").GetBoolean());
        Assert.Equal("2026-11-27", after.GetProperty("standardSince").GetString());
        await (await authority.PostJsonAsync(reinspect, new { items = Items() })).ProblemAsync(409);
        Assert.Empty((await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}/breaches")).OkJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_rectification_past_its_deadline_is_in_the_breach_record()
    {
        await using var host = await DrugsHost.StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "城关镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownA, "12410100MB0000002B");
        var authority = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);
        var failed = await InspectAsync(authority, point, InspectionKind.Daily, Checklist.StorageMonitoring, Checklist.QualifiedStaff);
        var caseId = failed.GetProperty("rectification").GetProperty("caseId").GetGuid();
        var scheduler = host.Services.GetRequiredService<DeadlineScheduler>();

        // On the last day nothing is late; a day past the deadline the handle step is breached, the point's name as the one responsible.
        host.Time.Advance(TimeSpan.FromDays(15) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await scheduler.ScanAsync(CancellationToken.None));
        host.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await scheduler.ScanAsync(CancellationToken.None));
        var breach = Assert.Single((await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}/breaches")).OkJsonAsync()).EnumerateArray());
        Assert.Equal("handle", breach.GetProperty("step").GetString());
        Assert.Equal("城关镇卫生院便民药房", breach.GetProperty("responsible").GetString());

        // Rectified late: the re-inspection still closes it; the breach stays on record.
        var closed = await (await host.As("county", DrugRoles.Authority, GridTree.County).PostJsonAsync($"/api/drugs/v1/rectifications/{caseId}/reinspect", new { items = Items() })).OkJsonAsync();
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        Assert.Single((await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}/breaches")).OkJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_form_missing_an_item_or_of_an_unknown_point_is_refused_and_nothing_is_written()
    {
        await using var host = await DrugsHost.StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "东关村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000001A");
        var authority = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);

        var partial = Items(Checklist.PurchaseRecords).Where(i => i.Key != Checklist.QualifiedStaff).ToDictionary(i => i.Key, i => (bool?)i.Value);
        partial["freshAir"] = true;
        var bad = await authority.PostJsonAsync($"/api/drugs/v1/points/{point}/inspections", new { kind = "Daily", items = partial, on = "2026-12-01" });
        Assert.Equal(["items.freshAir", "items.qualifiedStaff", "on"], (await bad.FieldErrorsAsync()).Order().ToArray());
        await (await authority.PostJsonAsync($"/api/drugs/v1/points/{Guid.NewGuid()}/inspections", Inspection(InspectionKind.Daily, Checklist.PurchaseRecords))).ProblemAsync(404);
        var informant = host.As("informant-a1", DrugRoles.Informant, GridTree.VillageA1);
        await (await informant.PostJsonAsync($"/api/drugs/v1/points/{point}/inspections", Inspection(InspectionKind.Daily, Checklist.PurchaseRecords))).ProblemAsync(403);
        var townB = host.As("authority-b", DrugRoles.Authority, GridTree.TownB);
        await (await townB.PostJsonAsync($"/api/drugs/v1/points/{point}/inspections", Inspection(InspectionKind.Daily, Checklist.PurchaseRecords))).ProblemAsync(404);

        Assert.Equal(0, await host.CountAsync("drugs.inspections"));
        Assert.Equal(0, await host.CountAsync("casework.cases"));
    }
}
