using Grid.LaborInspection.Domain;
using Grid.Testing;
using MiniExcelLibs;

namespace Grid.LaborInspection.Tests;

/// <summary>统计 and 台账: figures per grid with ranking, the monthly report per township, the Excel ledgers.</summary>
public class StatisticsTests
{
    private const string ComplainantName = "刘秀英";

    private static async Task<List<IDictionary<string, object>>> SheetAsync(HttpResponseMessage r)
    {
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.Content.Headers.ContentType?.MediaType);
        var stream = new MemoryStream(await r.Content.ReadAsByteArrayAsync());
        return [.. stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>()];
    }

    [Fact]
    public async Task Figures_per_grid_are_ranked_the_monthly_report_is_per_township_and_the_ledgers_are_sheets_in_scope()
    {
        await using var host = await LaborHost.StartAsync(null, _ => { });
        var inTownA = await InspectionsTests.FileAsync(host, "鑫源建材厂", "91511921MA6F000001", GridTree.VillageA1);
        var inTownB = await InspectionsTests.FileAsync(host, "宏达制衣厂", "91511921MA6F000002", GridTree.VillageB1);
        var coordinatorA = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);
        var coordinatorB = host.As("coord-b1", LaborRoles.Coordinator, GridTree.VillageB1);
        var officeA = host.As("office-a", LaborRoles.Office, GridTree.TownA);

        // Town A: a complaint of three workers, accepted, settled by mediation with 8,000.25 元 paid, closed the same day (in time).
        var complaint = new
        {
            employerId = inTownA,
            channel = "village",
            title = "拖欠三名工人10月工资",
            workers = 3,
            amountClaimed = 8600m,
            complainant = new { name = ComplainantName, phone = "13911112222" },
        };
        var id = (await (await coordinatorA.PostJsonAsync("/api/labor/v1/complaints", complaint)).OkJsonAsync()).GetProperty("complaint").GetProperty("caseId").GetGuid();
        (await officeA.PostJsonAsync($"/api/labor/v1/cases/{id}/accept", new { })).EnsureSuccessStatusCode();
        await (await officeA.PostJsonAsync($"/api/labor/v1/complaints/{id}/mediation", new
        {
            parties = new[] { new { side = "employer", name = "鑫源建材厂 张明" }, new { side = "worker", name = "王强" } },
            amountClaimed = 8600m,
            amountAgreed = 8000.25m,
            paidOn = "2026-11-19",
        })).OkJsonAsync();
        (await officeA.PostJsonAsync($"/api/labor/v1/cases/{id}/verify", new { passed = true })).EnsureSuccessStatusCode();
        (await officeA.PostJsonAsync($"/api/labor/v1/cases/{id}/close", new { })).EnsureSuccessStatusCode();

        // Town B: a complaint still waiting, and an inspection.
        (await coordinatorB.PostJsonAsync("/api/labor/v1/complaints", complaint with { employerId = inTownB })).EnsureSuccessStatusCode();
        (await host.As("insp-b", LaborRoles.Inspector, GridTree.TownB).PostJsonAsync("/api/labor/v1/inspections",
            new { employerId = inTownB, checklist = InspectionsTests.Checklist() })).EnsureSuccessStatusCode();

        var brigade = host.As("brigade-1", LaborRoles.Brigade, GridTree.County);
        var stats = await (await brigade.GetAsync("/api/labor/v1/statistics?from=2026-11-01&to=2026-11-30")).OkJsonAsync();
        var rows = stats.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([GridTree.TownA, GridTree.TownB], rows.Select(r => r.GetProperty("gridId").GetString()));
        var a = rows[0];
        Assert.Equal(1, a.GetProperty("rank").GetInt32());
        Assert.Equal((1, 1, 1), (a.GetProperty("complaintsReceived").GetInt32(), a.GetProperty("complaintsFinished").GetInt32(), a.GetProperty("finishedInTime").GetInt32()));
        Assert.Equal((8600m, 3), (a.GetProperty("arrearsClaimed").GetDecimal(), a.GetProperty("workersOwed").GetInt32()));
        Assert.Equal(8000.25m, a.GetProperty("arrearsRecovered").GetDecimal());
        Assert.Equal(3, a.GetProperty("workersPaid").GetInt32());
        Assert.Equal((1, 0), (a.GetProperty("employersFiled").GetInt32(), a.GetProperty("employersInspected").GetInt32()));
        var b = rows[1];
        Assert.Equal((1, 0), (b.GetProperty("complaintsReceived").GetInt32(), b.GetProperty("complaintsFinished").GetInt32()));
        Assert.Equal((1, 1), (b.GetProperty("employersFiled").GetInt32(), b.GetProperty("employersInspected").GetInt32()));
        Assert.Equal(0m, b.GetProperty("arrearsRecovered").GetDecimal());
        Assert.Equal((8600m, 3), (b.GetProperty("arrearsClaimed").GetDecimal(), b.GetProperty("workersOwed").GetInt32()));

        // October had none of it.
        var october = await (await brigade.GetAsync("/api/labor/v1/statistics?from=2026-10-01&to=2026-10-31")).OkJsonAsync();
        Assert.All(october.GetProperty("rows").EnumerateArray(), r => Assert.Equal(0, r.GetProperty("complaintsReceived").GetInt32()));

        // The monthly report per township (the level the organization names 中队网格), as JSON and as a sheet.
        var monthly = await (await brigade.GetAsync("/api/labor/v1/statistics/monthly?month=2026-11")).OkJsonAsync();
        Assert.Equal([GridTree.TownA, GridTree.TownB], monthly.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("gridId").GetString()));
        var sheet = await SheetAsync(await brigade.GetAsync("/api/labor/v1/statistics/monthly?month=2026-11&format=xlsx"));
        Assert.Equal(8000.25m, Convert.ToDecimal(sheet[0]["追回欠薪(元)"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(GridTree.TownA, sheet[0]["乡镇(街道、园区)"]);

        // Town A's office, asking without a grid, gets its own villages.
        var own = await (await officeA.GetAsync("/api/labor/v1/statistics?from=2026-11-01&to=2026-11-30")).OkJsonAsync();
        Assert.Equal(GridTree.TownA, own.GetProperty("grid").GetProperty("id").GetString());
        Assert.Equal(1, own.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("gridId").GetString() == GridTree.VillageA1).GetProperty("complaintsReceived").GetInt32());

        // Ledgers: town A's office sees its own complaint (numbered, state closed) and never a complainant; its one employer.
        var complaints = await SheetAsync(await officeA.GetAsync("/api/labor/v1/complaints/ledger.xlsx?from=2026-11-01&to=2026-11-30"));
        var row = Assert.Single(complaints);
        Assert.Equal((await (await officeA.GetAsync($"/api/labor/v1/complaints/{id}")).OkJsonAsync()).GetProperty("number").GetString(), row["案件编号"]);
        Assert.Equal("closed", row["状态"]);
        Assert.Equal("是", row["按期办结"]);
        Assert.DoesNotContain(complaints.SelectMany(r => r.Values), v => v?.ToString()?.Contains(ComplainantName) == true);
        Assert.Equal("鑫源建材厂", Assert.Single(await SheetAsync(await officeA.GetAsync("/api/labor/v1/employers/ledger.xlsx")))["单位名称"]);
        var inspections = await SheetAsync(await brigade.GetAsync("/api/labor/v1/inspections/ledger.xlsx"));
        Assert.Equal("巡视检查", Assert.Single(inspections)["检查类型"]);

        // Bad input and the wrong caller.
        Assert.Contains("month", await (await brigade.GetAsync("/api/labor/v1/statistics/monthly?month=2026-13")).FieldErrorsAsync());
        Assert.Contains("to", await (await brigade.GetAsync("/api/labor/v1/statistics?from=2026-11-30&to=2026-11-01")).FieldErrorsAsync());
        Assert.Equal("grid", (await (await officeA.GetAsync($"/api/labor/v1/statistics?gridId={GridTree.TownB}")).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal("role", (await (await coordinatorA.GetAsync("/api/labor/v1/complaints/ledger.xlsx")).ProblemAsync(403)).GetProperty("claim").GetString());
    }
}
