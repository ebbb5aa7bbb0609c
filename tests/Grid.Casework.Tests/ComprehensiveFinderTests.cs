using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.Testing;

namespace Grid.Casework.Tests;

/// <summary>
/// 综合网格员: a worker of the comprehensive grid reports a fire problem found on patrol straight to the fire
/// department, placed by longitude and latitude inside their own grid; they follow that report and nothing else.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class ComprehensiveFinderTests(CaseworkFixture fx) : IAsyncLifetime
{
    private CaseworkHost _host = null!;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await fx.Infra.CreateDatabaseAsync("cw_finder");
        _host = await CaseworkHost.StartAsync("fire", _db, await fx.Infra.CreateVirtualHostAsync("cw_finder"), fx.Grids.Address);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string Finder(string subject = "zh-worker") =>
        TestTokens.Create(subject, ["grid-worker"], ["comprehensive"], [GridTree.VillageA1]);

    // Longitude 116.x lies in compound-a1x (inside village-a1), 117.x in village-b1 (outside it).
    private static object Report(double longitude, string? gridId = null) =>
        new { category = "hazard", severity = "general", title = "楼道堆放杂物", longitude, latitude = 30.5, gridId };

    [Fact]
    public async Task A_finder_reports_by_position_into_the_department_and_follows_only_their_own_report()
    {
        var finder = _host.Client(Finder());
        using var resp = await finder.PostAsJsonAsync("/api/fire/v1/cases", Report(116.5));
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        var c = (await resp.Content.ReadFromJsonAsync<CaseView>(CaseworkHost.Json))!;
        Assert.Equal(GridTree.CompoundA1X, c.GridId);
        Assert.Equal("reported", c.State);

        // The department's own staff take it from there; the finder sees how it goes.
        var chief = _host.Client(CaseworkHost.Chief(GridTree.VillageA1, "fire"));
        await _host.StepAsync(chief, c.Id, "accept");
        var seen = await finder.GetFromJsonAsync<CaseView>($"/api/fire/v1/cases/{c.Id}", CaseworkHost.Json);
        Assert.Equal("accepted", seen!.State);

        // Their list holds their own reports only; every other step and other people's cases stay closed to them.
        Assert.Equal(403, (await _host.PostAsync(finder, c.Id, "handle", new { result = "清理" })).Status);
        var other = await _host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "他人上报", gridId = GridTree.CompoundA1X });
        var mine = await finder.GetFromJsonAsync<CasePage>("/api/fire/v1/cases", CaseworkHost.Json);
        Assert.Equal([c.Id], mine!.Items.Select(i => i.Id));
        Assert.Equal(HttpStatusCode.Forbidden, (await finder.GetAsync($"/api/fire/v1/cases/{other.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.Client(Finder("zh-other")).GetAsync($"/api/fire/v1/cases/{c.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_finder_is_refused_outside_their_grid_and_without_a_position_and_nothing_is_written()
    {
        var finder = _host.Client(Finder());
        var before = await Wait.ScalarAsync<long>(_db, "SELECT count(*) FROM casework.cases");

        using (var outside = await finder.PostAsJsonAsync("/api/fire/v1/cases", Report(117.5)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        }

        async Task Field(object body, string field)
        {
            using var resp = await finder.PostAsJsonAsync("/api/fire/v1/cases", body);
            var text = await resp.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
            using var doc = JsonDocument.Parse(text);
            Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        }

        await Field(new { category = "hazard", severity = "general", title = "无位置", gridId = GridTree.CompoundA1X }, "gridId");
        await Field(new { category = "hazard", severity = "general", title = "无位置" }, "longitude");
        await Field(Report(150.0), "longitude");
        Assert.Equal(before, await Wait.ScalarAsync<long>(_db, "SELECT count(*) FROM casework.cases"));

        // A token of neither the department nor the comprehensive grid still gets nowhere.
        var labor = _host.Client(TestTokens.Create("labor-worker", ["grid-worker"], ["labor"], [GridTree.VillageA1]));
        Assert.Equal(HttpStatusCode.Forbidden, (await labor.PostAsJsonAsync("/api/fire/v1/cases", Report(116.5))).StatusCode);
    }
}
