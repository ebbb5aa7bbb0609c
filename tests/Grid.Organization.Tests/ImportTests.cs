using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using MiniExcelLibs;
using Xunit.Abstractions;

namespace Grid.Organization.Tests;

public sealed class ImportTests(OrgHost host, ITestOutputHelper output) : IClassFixture<OrgHost>
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task Fifty_thousand_staff_rows_import_in_one_go_with_progress_recorded()
    {
        var csv = new StringBuilder("staffNo,name,phone,gridCode,role,domain,validFrom\n");
        string[] grids = [host.Code("A1"), host.Code("A2"), host.Code("B")];
        for (var i = 0; i < 50_000; i++)
        {
            csv.Append($"BULK{i:D6},网格员{i},139{i:D8},{grids[i % 3]},grid-worker,comprehensive,2026-01-01\n");
        }

        var staffBefore = await host.CountAsync("staff");
        var watch = Stopwatch.StartNew();
        var r = await host.Admin.PostAsync("/api/org/v1/imports/staff", Csv(csv.ToString()));
        watch.Stop();
        var body = await r.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(r.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        output.WriteLine($"50,000-row staff CSV ({csv.Length / 1024} KiB) imported in {watch.Elapsed.TotalSeconds:F1} s (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");

        Assert.Equal("succeeded", body!["status"]!.GetValue<string>());
        Assert.Equal(50_000, body["written"]!.GetValue<int>());
        Assert.Equal(50_000, body["processed"]!.GetValue<int>());
        Assert.Equal(staffBefore + 50_000, await host.CountAsync("staff"));
        var job = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/imports/{body["id"]}");
        Assert.Equal(50_000, job!["total"]!.GetValue<int>());

        // The imported posts are live for lookups.
        var found = await host.Grpc().FindResponsibleAsync(new FindResponsibleRequest { GridId = host.Ids["B"].ToString(), Domain = "comprehensive", Role = "grid-worker" });
        Assert.True(found.Staff.Count >= 16_666);
    }

    [Fact]
    public async Task A_file_with_bad_rows_writes_nothing_and_reports_row_field_and_message()
    {
        var csv = $"""
            staffNo,name,phone,gridCode,role,domain
            E1,甲,13600000001,{host.Code("A1")},grid-worker,comprehensive
            E2,乙,not-a-phone,{host.Code("A1")},grid-worker,comprehensive
            E3,丙,13600000003,NO-SUCH-GRID,grid-worker,comprehensive
            E1,丁,13600000004,{host.Code("A1")},grid-worker,comprehensive
            E5,戊,13600000005,{host.Code("A1")},janitor,comprehensive
            """;
        var before = await host.CountAsync("staff");
        var r = await host.Admin.PostAsync("/api/org/v1/imports/staff", Csv(csv));
        var problem = await Problems.AssertNamesFieldAsync(r, HttpStatusCode.BadRequest, "rows[3].phone");
        var rowErrors = problem["rowErrors"]!.AsArray().Select(e => (e!["row"]!.GetValue<int>(), e["field"]!.GetValue<string>())).ToList();
        Assert.Equal([(3, "phone"), (4, "gridCode"), (5, "staffNo"), (6, "role")], rowErrors);
        Assert.Equal(before, await host.CountAsync("staff"));
    }

    [Fact]
    public async Task Subjects_import_from_excel_and_are_placed_by_their_point()
    {
        var code = Domain.CreditCode.Complete("91410100MA4" + "XLT001");
        var rows = new[]
        {
            new Dictionary<string, object> { ["creditCode"] = code, ["name"] = "东村加油站", ["kind"] = "place", ["category"] = "易燃易爆场所", ["domain"] = "fire", ["address"] = "东村1号", ["longitude"] = 113.05, ["latitude"] = 34.7, ["gridCode"] = "" },
            new Dictionary<string, object> { ["creditCode"] = "", ["name"] = "西村诊所药柜", ["kind"] = "unit", ["category"] = "诊所药柜", ["domain"] = "drugs", ["address"] = "西村2号", ["longitude"] = 113.25, ["latitude"] = 34.7, ["gridCode"] = "" },
            new Dictionary<string, object> { ["creditCode"] = "", ["name"] = "西河乡建筑工地", ["kind"] = "place", ["category"] = "建筑工地", ["domain"] = "labor", ["address"] = "", ["longitude"] = "", ["latitude"] = "", ["gridCode"] = host.Code("B") },
        };
        using var xlsx = new MemoryStream();
        await xlsx.SaveAsAsync(rows, excelType: ExcelType.XLSX);
        var content = new ByteArrayContent(xlsx.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var r = await host.Admin.PostAsync("/api/org/v1/imports/subjects", content);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());

        var s = await host.Grpc().GetSubjectAsync(new GetSubjectRequest { CreditCode = code });
        Assert.Equal(host.Ids["A1"].ToString(), s.GridId);
        var inB = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/subjects?grid={host.Ids["B"]}&domain=labor");
        Assert.Contains(inB!["items"]!.AsArray(), x => x!["name"]!.GetValue<string>() == "西河乡建筑工地");
    }

    [Fact]
    public async Task Grids_import_from_geojson_in_any_order_or_not_at_all()
    {
        JsonObject Feature(string code, string? parent, JsonObject geometry) => new()
        {
            ["type"] = "Feature",
            ["geometry"] = geometry,
            ["properties"] = new JsonObject { ["code"] = host.Code(code), ["name"] = code + "区", ["levelName"] = "小网格", ["hierarchy"] = "comprehensive", ["parentCode"] = parent is null ? null : host.Code(parent), ["households"] = 250 },
        };

        // Child listed before its parent; the parent hangs under the stored village A1.
        var good = new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(
                Feature("GJ-1a", "GJ-1", OrgHost.Rect(113.0, 34.5, 113.075, 34.6)),
                Feature("GJ-1", "A1", OrgHost.Rect(113.0, 34.5, 113.15, 34.6)),
                Feature("GJ-1b", "GJ-1", OrgHost.Rect(113.075, 34.5, 113.15, 34.6))),
        };
        var r = await host.Admin.PostAsJsonAsync("/api/org/v1/imports/grids", good);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        var leaf = await host.Grpc().ResolveGridByPointAsync(new ResolveGridByPointRequest { Hierarchy = "comprehensive", Longitude = 113.1, Latitude = 34.55 });
        Assert.Equal(host.Code("GJ-1b"), leaf.Code);
        Assert.Equal(4, leaf.Depth);

        var before = await host.CountAsync("grids");
        var bad = new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(
                Feature("GJ-2", "A2", OrgHost.Rect(113.15, 34.5, 113.3, 34.6)),
                Feature("GJ-3", "A2", OrgHost.Polygon((113.15, 34.6), (113.2, 34.7), (113.2, 34.6), (113.15, 34.7), (113.15, 34.6))),
                Feature("GJ-2", "A2", OrgHost.Rect(113.15, 34.7, 113.3, 34.8)),
                Feature("GJ-4", "NOWHERE", OrgHost.Rect(113.15, 34.8, 113.3, 34.9))),
        };
        r = await host.Admin.PostAsJsonAsync("/api/org/v1/imports/grids", bad);
        var problem = await Problems.AssertNamesFieldAsync(r, HttpStatusCode.BadRequest, "rows[2].geometry");
        var fields = problem["rowErrors"]!.AsArray().Select(e => (e!["row"]!.GetValue<int>(), e["field"]!.GetValue<string>())).ToList();
        Assert.Contains((3, "code"), fields);
        Assert.Contains((4, "parentCode"), fields);
        Assert.Equal(before, await host.CountAsync("grids"));
    }
}
