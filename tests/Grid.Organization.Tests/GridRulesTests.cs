using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Grid.Testing;

namespace Grid.Organization.Tests;

/// <summary>Every refusal is a problem naming the field, and leaves the grids table exactly as it was.</summary>
public sealed class GridRulesTests(OrgHost host) : IClassFixture<OrgHost>
{
    private async Task AssertRefusedAsync(JsonObject body, HttpStatusCode status, string field, Guid? updating = null)
    {
        var before = await host.CountAsync("grids");
        var outboxBefore = await host.CountAsync("casework.outbox");
        var r = updating is null
            ? await host.Admin.PostAsJsonAsync("/api/org/v1/grids", body)
            : await host.Admin.PutAsJsonAsync($"/api/org/v1/grids/{updating}", body);
        await Problems.AssertNamesFieldAsync(r, status, field);
        Assert.Equal(before, await host.CountAsync("grids"));
        Assert.Equal(outboxBefore, await host.CountAsync("casework.outbox"));
    }

    [Fact]
    public Task A_self_intersecting_bow_tie_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-BOW", "蝴蝶", "村", host.Ids["B"], OrgHost.Polygon((113.3, 34.5), (113.4, 34.6), (113.4, 34.5), (113.3, 34.6), (113.3, 34.5))), HttpStatusCode.BadRequest, "boundary");

    [Fact]
    public Task An_empty_polygon_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-EMPTY", "空", "村", host.Ids["B"], new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray() }), HttpStatusCode.BadRequest, "boundary");

    [Fact]
    public Task A_zero_area_polygon_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-FLAT", "扁", "村", host.Ids["B"], OrgHost.Polygon((113.3, 34.5), (113.4, 34.5), (113.5, 34.5), (113.3, 34.5))), HttpStatusCode.BadRequest, "boundary");

    [Fact]
    public Task A_ring_that_is_not_closed_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-OPEN", "开", "村", host.Ids["B"], OrgHost.Polygon((113.3, 34.5), (113.4, 34.5), (113.4, 34.6))), HttpStatusCode.BadRequest, "boundary");

    [Fact]
    public Task A_point_instead_of_a_polygon_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-PT", "点", "村", host.Ids["B"], new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(113.3, 34.5) }), HttpStatusCode.BadRequest, "boundary");

    [Fact]
    public Task Coordinates_outside_wgs84_are_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-FAR", "远", "村", host.Ids["B"], OrgHost.Rect(200, 34.5, 201, 34.6)), HttpStatusCode.BadRequest, "boundary");

    [Fact]
    public Task An_unknown_parent_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-ORPHAN", "孤", "村", Guid.NewGuid(), OrgHost.Rect(113.3, 34.5, 113.4, 34.6)), HttpStatusCode.BadRequest, "parentId");

    [Fact]
    public Task A_parent_of_another_hierarchy_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-MIX", "混", "中网格", host.Ids["B"], OrgHost.Rect(113.3, 34.5, 113.4, 34.6), "fire"), HttpStatusCode.BadRequest, "parentId");

    [Fact]
    public Task A_duplicate_code_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody(host.Code("A1"), "重复", "村", host.Ids["B"], OrgHost.Rect(113.3, 34.5, 113.4, 34.6)), HttpStatusCode.Conflict, "code");

    [Fact]
    public Task An_unknown_hierarchy_is_refused() =>
        AssertRefusedAsync(OrgHost.GridBody("T-H", "怪", "村", host.Ids["B"], OrgHost.Rect(113.3, 34.5, 113.4, 34.6), "weather"), HttpStatusCode.BadRequest, "hierarchy");

    [Fact]
    public async Task Re_parenting_under_a_descendant_is_refused_as_a_cycle()
    {
        // A under its own child A1.
        await AssertRefusedAsync(OrgHost.GridBody(host.Code("A"), "东城镇", "乡镇", host.Ids["A1"], OrgHost.Rect(113.0, 34.5, 113.3, 34.9)), HttpStatusCode.BadRequest, "parentId", host.Ids["A"]);
        // ... and under itself.
        await AssertRefusedAsync(OrgHost.GridBody(host.Code("A"), "东城镇", "乡镇", host.Ids["A"], OrgHost.Rect(113.0, 34.5, 113.3, 34.9)), HttpStatusCode.BadRequest, "parentId", host.Ids["A"]);
        var a = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/grids/{host.Ids["A"]}");
        Assert.Equal(host.Ids["C"], a!["parentId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Malformed_json_is_a_problem_naming_the_field()
    {
        var r = await host.Admin.PostAsync("/api/org/v1/grids", new StringContent("""{"code":"X","households":"many"}""", Encoding.UTF8, "application/json"));
        await Problems.AssertNamesFieldAsync(r, HttpStatusCode.BadRequest, "households");
    }

    [Fact]
    public async Task Moving_a_grid_moves_its_subtree_paths()
    {
        var root2 = await host.CreateGridAsync("MV-R", "新区", "县", null, OrgHost.Rect(120, 30, 121, 31));
        var mid = await host.CreateGridAsync("MV-M", "中", "乡镇", root2, OrgHost.Rect(120, 30, 120.5, 31));
        var leaf = await host.CreateGridAsync("MV-L", "叶", "村", mid, OrgHost.Rect(120, 30, 120.25, 31));
        var other = await host.CreateGridAsync("MV-O", "另", "县", null, OrgHost.Rect(121, 30, 122, 31));
        var r = await host.Admin.PutAsJsonAsync($"/api/org/v1/grids/{mid}", OrgHost.GridBody(host.Code("MV-M"), "中", "乡镇", other, OrgHost.Rect(121, 30, 121.5, 31)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var l = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/grids/{leaf}");
        Assert.Equal([other, mid, leaf], l!["path"]!.AsArray().Select(p => p!.GetValue<Guid>()).ToArray());
        Assert.Equal(2, l["depth"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_coverage_report_names_overlapping_siblings_and_uncovered_parents()
    {
        // A parent 1°×1° with two children overlapping in a strip and leaving the east third uncovered.
        var p = await host.CreateGridAsync("CV-P", "检查区", "乡镇", null, OrgHost.Rect(100, 10, 101, 11), "labor");
        await host.CreateGridAsync("CV-1", "甲", "网格", p, OrgHost.Rect(100, 10, 100.4, 11), "labor");
        await host.CreateGridAsync("CV-2", "乙", "网格", p, OrgHost.Rect(100.3, 10, 100.7, 11), "labor");
        // A clean parent beside it, tiled exactly.
        var q = await host.CreateGridAsync("CV-Q", "整齐区", "乡镇", null, OrgHost.Rect(101, 10, 102, 11), "labor");
        await host.CreateGridAsync("CV-Q1", "丙", "网格", q, OrgHost.Rect(101, 10, 101.5, 11), "labor");
        await host.CreateGridAsync("CV-Q2", "丁", "网格", q, OrgHost.Rect(101.5, 10, 102, 11), "labor");

        var report = await host.Admin.GetFromJsonAsync<JsonObject>("/api/org/v1/grids/coverage?hierarchy=labor");
        var overlap = Assert.Single(report!["overlaps"]!.AsArray());
        Assert.Equal((host.Code("CV-1"), host.Code("CV-2")), (overlap!["gridCode"]!.GetValue<string>(), overlap["otherGridCode"]!.GetValue<string>()));
        Assert.True(overlap["areaSquareMetres"]!.GetValue<double>() > 1e8); // a 0.1° × 1° strip is ~1.1e9 m²
        var gap = Assert.Single(report["gaps"]!.AsArray());
        Assert.Equal(host.Code("CV-P"), gap!["parentCode"]!.GetValue<string>());
        Assert.InRange(gap["uncoveredShare"]!.GetValue<double>(), 0.29, 0.31);
        Assert.False(report["clean"]!.GetValue<bool>());

        var clean = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/grids/coverage?hierarchy=labor&under={q}");
        Assert.True(clean!["clean"]!.GetValue<bool>(), clean.ToJsonString());
    }

    [Fact]
    public async Task The_seeded_county_tiles_exactly()
    {
        var report = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/grids/coverage?hierarchy=comprehensive&under={host.Ids["C"]}");
        Assert.True(report!["clean"]!.GetValue<bool>(), report.ToJsonString());
    }

    [Fact]
    public async Task A_grid_with_children_cannot_be_deleted()
    {
        var r = await host.Admin.DeleteAsync($"/api/org/v1/grids/{host.Ids["A"]}");
        await Problems.AssertNamesFieldAsync(r, HttpStatusCode.Conflict, "id");
        Assert.Equal(HttpStatusCode.OK, (await host.Admin.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
    }

    [Fact]
    public async Task The_map_gets_a_feature_collection_of_children()
    {
        var fc = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/grids/geojson?hierarchy=comprehensive&parent={host.Ids["A"]}");
        Assert.Equal("FeatureCollection", fc!["type"]!.GetValue<string>());
        var codes = fc["features"]!.AsArray().Select(f => f!["properties"]!["code"]!.GetValue<string>()).ToList();
        Assert.Equal([host.Code("A1"), host.Code("A2")], codes);
        Assert.Equal("Polygon", fc["features"]![0]!["geometry"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin_endpoints_require_a_token_and_an_admin_role()
    {
        using var anonymous = host.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
        using var worker = host.Factory.CreateClient(TestTokens.Create("w1", ["grid-worker"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await worker.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
