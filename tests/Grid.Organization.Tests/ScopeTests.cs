using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grid.Testing;

namespace Grid.Organization.Tests;

/// <summary>Grid scope: a township's administrator sees its own township's people, not another's.</summary>
public sealed class ScopeTests(OrgHost host) : IClassFixture<OrgHost>
{
    private HttpClient TownshipAdmin(string township) =>
        host.Factory.CreateClient(TestTokens.Create($"oa-{township}", ["org-admin"], ["comprehensive"], [host.Ids[township].ToString()]));

    [Fact]
    public async Task An_administrator_of_one_township_cannot_read_another_townships_staff()
    {
        var inA = await host.CreateStaffAsync("陈网格员", "13700000001", ("A1", "grid-worker", "comprehensive"));
        var inB = await host.CreateStaffAsync("林网格员", "13700000002", ("B", "grid-worker", "comprehensive"));
        using var a = TownshipAdmin("A");

        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/api/org/v1/staff/{inA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/api/org/v1/staff/{inB}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/api/org/v1/staff?grid={host.Ids["B"]}")).StatusCode);

        var listed = await a.GetFromJsonAsync<JsonObject>("/api/org/v1/staff?limit=1000");
        var ids = listed!["items"]!.AsArray().Select(s => s!["id"]!.GetValue<Guid>()).ToList();
        Assert.Contains(inA, ids);
        Assert.DoesNotContain(inB, ids);

        // The whole-territory admin sees both.
        Assert.Equal(HttpStatusCode.OK, (await host.Admin.GetAsync($"/api/org/v1/staff/{inB}")).StatusCode);
    }

    [Fact]
    public async Task A_township_administrator_cannot_post_staff_or_grids_into_another_township()
    {
        using var a = TownshipAdmin("A");
        var before = await host.CountAsync("staff");
        var r = await a.PostAsJsonAsync("/api/org/v1/staff", new
        {
            name = "越界",
            phone = "13700000003",
            assignments = new[] { new { gridId = host.Ids["B"], role = "grid-worker", domain = "comprehensive" } },
        });
        await Problems.AssertNamesFieldAsync(r, HttpStatusCode.BadRequest, "assignments[0].gridId");
        Assert.Equal(before, await host.CountAsync("staff"));

        var g = await a.PostAsJsonAsync("/api/org/v1/grids", OrgHost.GridBody("T-X", "越界村", "村", host.Ids["B"], OrgHost.Rect(113.3, 34.5, 113.31, 34.51)));
        await Problems.AssertNamesFieldAsync(g, HttpStatusCode.BadRequest, "parentId");

        // An org-admin may not mint a territory admin.
        var esc = await a.PostAsJsonAsync("/api/org/v1/staff", new
        {
            name = "提权",
            phone = "13700000004",
            systemRoles = new[] { "admin" },
            assignments = new[] { new { gridId = host.Ids["A1"], role = "grid-worker", domain = "comprehensive" } },
        });
        await Problems.AssertNamesFieldAsync(esc, HttpStatusCode.BadRequest, "systemRoles");
    }

    [Fact]
    public async Task The_public_notice_board_needs_no_token_and_shows_names_phones_and_hotline()
    {
        await host.CreateStaffAsync("黄网格长", "13700000009", ("A2", "grid-chief", "comprehensive"));
        using var anonymous = host.Factory.CreateClient();
        var notice = await anonymous.GetFromJsonAsync<JsonObject>($"/api/org/v1/public/grids/{host.Code("A2")}/notice");
        Assert.Equal("12345", notice!["hotline"]!.GetValue<string>());
        var person = notice["responsible"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "黄网格长");
        Assert.Equal("13700000009", person!["phone"]!.GetValue<string>());
        Assert.Equal("网格长", person["roleName"]!.GetValue<string>());
        Assert.Equal("Polygon", notice["boundary"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/org/v1/public/grids/NO-SUCH/notice")).StatusCode);
    }
}
