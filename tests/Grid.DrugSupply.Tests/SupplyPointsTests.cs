using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>Supply points: filed in a drugs grid with licence, GSP certificate and 三统一 flags, listed by the caller's posts.</summary>
public class SupplyPointsTests
{
    internal static object Point(string name, SupplyPointKind kind, string grid, string subject, bool certified = true, bool unified = true) => new
    {
        name,
        kind,
        subjectId = subject,
        gridId = grid,
        address = $"{grid} 卫生室旁",
        licenceNumber = $"豫AA{subject[^4..]}",
        gspNumber = certified && kind.Sells() ? $"HA-{subject[^4..]}" : null,
        gspIssuedOn = certified && kind.Sells() ? "2024-03-01" : null,
        gspValidUntil = certified && kind.Sells() ? "2029-02-28" : null,
        unifiedProcurement = unified,
        unifiedDistribution = unified,
        unifiedPrice = unified,
    };

    internal static async Task<Guid> FileAsync(DrugsHost host, string name, SupplyPointKind kind, string grid, string subject, bool certified = true)
    {
        var authority = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        return (await (await authority.PostJsonAsync("/api/drugs/v1/points", Point(name, kind, grid, subject, certified))).OkJsonAsync()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_point_is_filed_with_its_grid_path_changed_and_listed_page_by_page_within_the_callers_posts()
    {
        await using var host = await DrugsHost.StartAsync();
        var coordinator = host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA);
        var created = await (await coordinator.PostJsonAsync("/api/drugs/v1/points",
            Point("东关村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000001A"))).OkJsonAsync();
        Assert.Equal(["county", "town-a", "village-a1"], created.GetProperty("gridPath").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.False(created.GetProperty("standard").GetBoolean());
        var id = created.GetProperty("id").GetGuid();

        await FileAsync(host, "城关镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownA, "12410100MB0000002B");
        await FileAsync(host, "百姓大药房杨庄店", SupplyPointKind.ChainStore, GridTree.VillageA2, "91410100MA0000003C");
        await FileAsync(host, "刘寨村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageB1, "52410100MJ0000004D");

        // Changing the file: 三统一 flags off, moved to the other village of the township.
        var changed = await (await coordinator.PutAsJsonAsync($"/api/drugs/v1/points/{id}",
            Point("东关村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA2, "52410100MJ0000001A", unified: false), DrugsHost.Json)).OkJsonAsync();
        Assert.Equal("village-a2", changed.GetProperty("gridId").GetString());
        Assert.False(changed.GetProperty("unifiedPrice").GetBoolean());

        // Town A's coordinator sees the three points of town A, two per page; town B's point is not theirs.
        var first = await coordinator.GetAsync("/api/drugs/v1/points?limit=2");
        var page1 = await first.OkJsonAsync();
        Assert.Equal(2, page1.GetArrayLength());
        var next = first.Headers.GetValues("Next-Cursor").Single();
        var page2 = await (await coordinator.GetAsync($"/api/drugs/v1/points?limit=2&cursor={next}")).OkJsonAsync();
        Assert.Equal(1, page2.GetArrayLength());
        var seen = page1.EnumerateArray().Concat(page2.EnumerateArray()).Select(p => p.GetProperty("gridPath")[1].GetString()).ToList();
        Assert.All(seen, g => Assert.Equal("town-a", g));
        Assert.Equal(4, (await (await host.As("county-authority", DrugRoles.Authority, GridTree.County).GetAsync("/api/drugs/v1/points")).OkJsonAsync()).GetArrayLength());

        // Town B's authority neither reads nor changes town A's point.
        var townB = host.As("authority-b", DrugRoles.Authority, GridTree.TownB);
        await (await townB.GetAsync($"/api/drugs/v1/points/{id}")).ProblemAsync(404);
        await (await townB.GetAsync("/api/drugs/v1/points?cursor=not-a-cursor")).ProblemAsync(400);
    }

    [Fact]
    public async Task Bad_input_and_the_wrong_post_are_refused_with_the_field_or_claim_named_and_nothing_written()
    {
        await using var host = await DrugsHost.StartAsync();
        var authority = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);

        var unknownGrid = await authority.PostJsonAsync("/api/drugs/v1/points", Point("无名药柜", SupplyPointKind.VillageCabinet, "village-zz", "52410100MJ0000009Z"));
        Assert.Equal(["gridId"], await unknownGrid.FieldErrorsAsync());

        // A GSP certificate valid until a date before its issue.
        var backwards = await authority.PostJsonAsync("/api/drugs/v1/points", new
        {
            name = "百姓大药房",
            kind = "ChainStore",
            subjectId = "91410100MA0000008Y",
            gridId = GridTree.VillageA1,
            licenceNumber = "豫AA0008",
            gspNumber = "HA-0008",
            gspIssuedOn = "2026-05-01",
            gspValidUntil = "2026-04-30",
        });
        Assert.Equal(["gspValidUntil"], await backwards.FieldErrorsAsync());

        // A seller without any certificate; a point without a kind or licence.
        var uncertified = await authority.PostJsonAsync("/api/drugs/v1/points", Point("百姓大药房", SupplyPointKind.RetailPharmacy, GridTree.VillageA1, "91410100MA0000007X", certified: false));
        Assert.Equal(["gspIssuedOn", "gspNumber", "gspValidUntil"], (await uncertified.FieldErrorsAsync()).Order().ToArray());
        var empty = await authority.PostJsonAsync("/api/drugs/v1/points", new { name = "药柜", gridId = GridTree.VillageA1 });
        Assert.Equal(["kind", "licenceNumber", "subjectId"], (await empty.FieldErrorsAsync()).Order().ToArray());

        // An informant does not file points; town A's authority does not file in town B; a fire post is not a drugs post.
        var point = Point("刘寨村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageB1, "52410100MJ0000004D");
        Assert.Equal("role", (await (await host.As("informant-a1", DrugRoles.Informant, GridTree.VillageA1).PostJsonAsync("/api/drugs/v1/points", point)).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal("grid", (await (await authority.PostJsonAsync("/api/drugs/v1/points", point)).ProblemAsync(403)).GetProperty("claim").GetString());
        var fire = host.CreateClient(TestTokens.Create("fire-1", [DrugRoles.Authority], ["fire"], ["*"]));
        Assert.Equal("domain", (await (await fire.PostJsonAsync("/api/drugs/v1/points", point)).ProblemAsync(403)).GetProperty("claim").GetString());

        Assert.Equal(0, await host.CountAsync("drugs.supply_points"));

        // The same file accepted once the grid is right, then refused as a duplicate of the subject.
        var townB = host.As("authority-b", DrugRoles.Authority, GridTree.TownB);
        await (await townB.PostJsonAsync("/api/drugs/v1/points", point)).OkJsonAsync();
        Assert.Equal(["subjectId"], await (await townB.PostJsonAsync("/api/drugs/v1/points", point)).FieldErrorsAsync());
        Assert.Equal(1, await host.CountAsync("drugs.supply_points"));
    }
}
