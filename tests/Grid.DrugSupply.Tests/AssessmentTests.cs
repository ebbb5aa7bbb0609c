using System.Text.Json;
using Grid.Casework.Application;
using Grid.DrugSupply.Domain;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.DrugSupply.Tests;

/// <summary>
/// Statistics, ledgers and the quarterly township assessment (2026 Q4, default weights 30/30/20/20) against a fixture
/// computed by hand. On 11-19: P1 town A pharmacy, P2 cabinet in village A1, P4 town B pharmacy, P5 chain store in
/// village B1 (GSP valid); town A's coordinator (Q4 score 90) and the informants of A1 (70) and B1 (40) appointed;
/// P2 and P4 fail an item (rectifications due 12-04); P1 sampled (pass), P5 sampled suspicious and found substandard.
/// 11-25 P2 re-inspected and closed; 12-01 P1 passes a daily inspection; 12-29 the deadline scan finds P4 late.
/// Town A: coverage mean(50, 100, 100, 100, 50) = 80 %, inspections 1/1, rectifications 1/1, staff (90+70)/2 = 80 →
/// 24 + 30 + 20 + 16 = 90.0. Town B: coverage mean(100, 0, 100, 0, 0, 100) = 50 %, inspections 1/2 (P5 never inspected),
/// rectifications 0/1, staff 40 → 15 + 15 + 0 + 8 = 38.0.
/// </summary>
public class AssessmentTests
{
    private static async Task<DrugsHost> SeedAsync()
    {
        var host = await DrugsHost.StartAsync(staff: StaffTests.Posts);
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        var p1 = await SupplyPointsTests.FileAsync(host, "P1 城关镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownA, "12410100MB0000000001");
        var p2 = await SupplyPointsTests.FileAsync(host, "P2 东关村便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA1, "52410100MJ0000000002");
        var p4 = await SupplyPointsTests.FileAsync(host, "P4 柳林镇卫生院便民药房", SupplyPointKind.TownshipPharmacy, GridTree.TownB, "12410100MB0000000004");
        var p5 = await SupplyPointsTests.FileAsync(host, "P5 百姓大药房刘寨店", SupplyPointKind.ChainStore, GridTree.VillageB1, "91410100MA0000000005");
        foreach (var (person, kind, grid, score) in new[]
        {
            ($"{DrugRoles.Coordinator}-{GridTree.TownA}", StaffKind.Coordinator, GridTree.TownA, 90),
            ($"{DrugRoles.Informant}-{GridTree.VillageA1}", StaffKind.Informant, GridTree.VillageA1, 70),
            ($"{DrugRoles.Informant}-{GridTree.VillageB1}", StaffKind.Informant, GridTree.VillageB1, 40),
        })
        {
            var id = await StaffTests.AppointAsync(county, person, kind, grid);
            await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/assessments", new { period = "2026-Q4", score })).OkJsonAsync();
        }

        var p2Case = (await InspectionsTests.InspectAsync(county, p2, InspectionKind.Daily, Checklist.StorageMonitoring)).GetProperty("rectification").GetProperty("caseId").GetGuid();
        await InspectionsTests.InspectAsync(county, p4, InspectionKind.Daily, Checklist.AdverseReactionReporting);
        await (await county.PostJsonAsync("/api/drugs/v1/samples", new { pointId = p1, product = "感冒灵颗粒", batchNumber = "B1", manufacturer = "甲厂", result = "Pass" })).OkJsonAsync();
        var suspicious = await (await county.PostJsonAsync("/api/drugs/v1/samples", new { pointId = p5, product = "复方甘草片", batchNumber = "B2", manufacturer = "乙厂", result = "Suspicious" })).OkJsonAsync();
        await (await county.PostJsonAsync($"/api/drugs/v1/samples/{suspicious.GetProperty("id").GetGuid()}/lab-result", new { verdict = "Substandard" })).OkJsonAsync();

        host.Time.Advance(TimeSpan.FromDays(6));
        await (await county.PostJsonAsync($"/api/drugs/v1/rectifications/{p2Case}/reinspect", new { items = InspectionsTests.Items() })).OkJsonAsync();
        host.Time.Advance(TimeSpan.FromDays(6));
        await InspectionsTests.InspectAsync(county, p1, InspectionKind.Daily);
        host.Time.Advance(TimeSpan.FromDays(28));
        await host.Services.GetRequiredService<DeadlineScheduler>().ScanAsync(CancellationToken.None);
        return host;
    }

    private static (decimal? Rate, decimal Points) Part(JsonElement row, string part) =>
        (row.GetProperty(part).GetProperty("rate").ValueKind == JsonValueKind.Null ? null : row.GetProperty(part).GetProperty("rate").GetDecimal(),
         row.GetProperty(part).GetProperty("points").GetDecimal());

    [Fact]
    public async Task The_quarterly_assessment_statistics_and_ledgers_match_the_hand_computed_fixture()
    {
        await using var host = await SeedAsync();
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);

        var assessment = await (await county.GetAsync("/api/drugs/v1/assessments/townships?year=2026&quarter=4")).OkJsonAsync();
        var rows = assessment.GetProperty("townships").EnumerateArray().ToList();
        Assert.Equal([(1, GridTree.TownA, 90.0m), (2, GridTree.TownB, 38.0m)],
            rows.Select(r => (r.GetProperty("rank").GetInt32(), r.GetProperty("gridId").GetString()!, r.GetProperty("score").GetDecimal())).ToList());
        Assert.Equal((0.8m, 24m), Part(rows[0], "coverage"));
        Assert.Equal((1m, 30m), Part(rows[0], "inspections"));
        Assert.Equal((1m, 20m), Part(rows[0], "rectifications"));
        Assert.Equal((0.8m, 16m), Part(rows[0], "staff"));
        Assert.Equal((0.5m, 15m), Part(rows[1], "coverage"));
        Assert.Equal((0.5m, 15m), Part(rows[1], "inspections"));
        Assert.Equal((0m, 0m), Part(rows[1], "rectifications"));
        Assert.Equal((0.4m, 8m), Part(rows[1], "staff"));
        // Each failed checklist published with its rectification; the substandard batch with its major case.
        Assert.Equal(2, await host.CountAsync("casework.outbox", "event_type = 'SupplyPointFailedChecklist'"));
        Assert.Contains("\"failed\":[\"storageMonitoring\"]", await Wait.ScalarAsync<string>(host.ConnectionString,
            "SELECT payload FROM casework.outbox WHERE event_type = 'SupplyPointFailedChecklist' AND payload LIKE '%storageMonitoring%'"));
        Assert.Contains("\"verdict\":\"substandard\"", await Wait.ScalarAsync<string>(host.ConnectionString, "SELECT payload FROM casework.outbox WHERE event_type = 'DrugBatchRecalled'"));
        Assert.Equal(["quarter"], await (await county.GetAsync("/api/drugs/v1/assessments/townships?year=2026&quarter=5")).FieldErrorsAsync());

        var stats = await (await county.GetAsync("/api/drugs/v1/statistics?from=2026-10-01&to=2026-12-29")).OkJsonAsync();
        var total = stats.GetProperty("total");
        var ins = total.GetProperty("inspections");
        Assert.Equal((3, 3, 2, 1), (ins.GetProperty("total").GetInt32(), ins.GetProperty("daily").GetInt32(), ins.GetProperty("failed").GetInt32(), ins.GetProperty("reInspections").GetInt32()));
        var rec = total.GetProperty("rectifications");
        Assert.Equal((2, 1, 1, 1, 50.0m), (rec.GetProperty("ordered").GetInt32(), rec.GetProperty("closed").GetInt32(), rec.GetProperty("closedOnTime").GetInt32(),
            rec.GetProperty("pastDeadline").GetInt32(), rec.GetProperty("onTimeRate").GetDecimal()));
        var smp = total.GetProperty("screening");
        Assert.Equal((2, 1, 1, 50.0m), (smp.GetProperty("samples").GetInt32(), smp.GetProperty("suspicious").GetInt32(), smp.GetProperty("positives").GetInt32(), smp.GetProperty("positiveRate").GetDecimal()));
        var staff = total.GetProperty("staff");
        Assert.Equal((1, 2, 3, 2, 66.7m), (staff.GetProperty("coordinators").GetInt32(), staff.GetProperty("informants").GetInt32(), staff.GetProperty("assessed").GetInt32(),
            staff.GetProperty("passed").GetInt32(), staff.GetProperty("meanScore").GetDecimal()));
        var townB = stats.GetProperty("townships").EnumerateArray().Single(t => t.GetProperty("gridId").GetString() == GridTree.TownB);
        Assert.Equal(0, townB.GetProperty("coverage").GetProperty("coordinators").GetProperty("count").GetInt32());
        Assert.Equal(1, townB.GetProperty("screening").GetProperty("positives").GetInt32());

        // Ledgers: one sheet each, a row per record in scope.
        static async Task<List<IDictionary<string, object>>> Sheet(HttpResponseMessage r)
        {
            Assert.Equal(Grid.Casework.Apis.LedgerFile.ContentType, r.Content.Headers.ContentType?.MediaType);
            return [.. MiniExcelLibs.MiniExcel.Query(await r.Content.ReadAsStreamAsync(), useHeaderRow: true).Cast<IDictionary<string, object>>()];
        }

        var points = await Sheet(await county.GetAsync("/api/drugs/v1/points/ledger.xlsx"));
        Assert.Equal(["是", "是", "否", "否"], points.OrderBy(p => (string)p["名称"], StringComparer.Ordinal).Select(p => (string)p["规范药房"]).ToArray());
        var townA = await Sheet(await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).GetAsync("/api/drugs/v1/points/ledger.xlsx"));
        Assert.Equal(2, townA.Count);
        var inspections = await Sheet(await county.GetAsync("/api/drugs/v1/inspections/ledger.xlsx?from=2026-11-01&to=2026-12-31"));
        Assert.Equal(["不合格", "不合格", "合格", "合格"], inspections.Select(i => (string)i["结果"]).Order(StringComparer.Ordinal).ToArray());
        Assert.Single(inspections, i => (string)i["方式"] == "复查");
        var samples = await Sheet(await county.GetAsync("/api/drugs/v1/samples/ledger.xlsx"));
        Assert.Equal("劣药", (string)Assert.Single(samples, s => (string)s["初筛结果"] == "可疑")["检验结论"]);
        Assert.Equal(["to"], await (await county.GetAsync("/api/drugs/v1/samples/ledger.xlsx?from=2026-12-01&to=2026-11-01")).FieldErrorsAsync());
        await (await host.CreateClient(TestTokens.Create("fire-1", [DrugRoles.Authority], ["fire"], ["*"])).GetAsync("/api/drugs/v1/points/ledger.xlsx")).ProblemAsync(403);
    }

    [Fact]
    public void A_part_with_nothing_to_measure_is_left_out_and_the_other_weights_scaled_up()
    {
        var assessor = new TownshipAssessor(new AssessmentWeights { Coverage = 40, Inspections = 40, Rectifications = 10, Staff = 10 });
        Indicator I(int count, int total) => Indicator.Measure(count, total, 100);
        var coverage = new CoverageRow("t", "t", I(1, 2), I(1, 1), I(0, 0), I(0, 0), I(0, 0), I(1, 1), I(1, 2));
        var inspections = new ComplianceTotals("t", "t", 2, 4, 3, 75m, 0, 1);

        // Coverage mean(50, 100, 100, 50) = 75 %, inspections 3/4, no rectification settled, staff (60+80)/2 = 70 %:
        // 100 × (40 × 0.75 + 40 × 0.75 + 10 × 0.7) / 90 = 74.4.
        var score = assessor.Score("t", "t", coverage, inspections, 0, 0, [60m, 80m]);
        Assert.Equal(74.4m, score.Score);
        Assert.Null(score.Rectifications.Rate);
        Assert.Equal(0m, score.Rectifications.Points);
    }
}
