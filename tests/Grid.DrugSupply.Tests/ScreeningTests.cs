using System.Text.Json;
using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>Rapid screening to a confirmed fake drug: a major case at the top, the joint group summoned, the batch blocked where it went.</summary>
public class ScreeningTests
{
    /// <summary>The joint group by default: DEPT-MARKET, DEPT-POLICE, DEPT-HEALTH, all known to the test organization.</summary>
    private static Task<DrugsHost> StartAsync() => DrugsHost.StartAsync();

    private static object Purchase(string batch, int quantity) => new
    {
        product = "阿莫西林胶囊 0.25g×24粒",
        batchNumber = batch,
        manufacturer = "某某制药有限公司",
        quantity,
        supplier = "县医药公司",
        invoiceNumber = $"FP-{batch}",
        receivedOn = "2026-11-02",
    };

    private static object Sample(Guid point, string result = "Suspicious") => new
    {
        pointId = point,
        product = "阿莫西林胶囊 0.25g×24粒",
        batchNumber = "B20260901",
        manufacturer = "某某制药有限公司",
        result,
    };

    [Fact]
    public async Task A_suspicious_sample_confirmed_fake_is_a_major_case_at_the_top_with_the_joint_group_summoned_and_the_batch_blocked_where_it_went()
    {
        await using var host = await StartAsync();
        var sampled = await SupplyPointsTests.FileAsync(host, "东关大药房", SupplyPointKind.RetailPharmacy, GridTree.VillageA1, "91410100MA0000000011");
        var otherHolder = await SupplyPointsTests.FileAsync(host, "刘寨村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageB1, "52410100MJ0000000012");
        var notHolder = await SupplyPointsTests.FileAsync(host, "西街村卫生室便民药柜", SupplyPointKind.VillageCabinet, GridTree.VillageA2, "52410100MJ0000000013");
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        await (await county.PostJsonAsync($"/api/drugs/v1/points/{sampled}/purchases", Purchase("B20260901", 100))).OkJsonAsync();
        await (await county.PostJsonAsync($"/api/drugs/v1/points/{otherHolder}/purchases", Purchase("B20260901", 20))).OkJsonAsync();
        await (await county.PostJsonAsync($"/api/drugs/v1/points/{notHolder}/purchases", Purchase("B20260702", 30))).OkJsonAsync();

        // The screening vehicle of town A: suspicious → a screening case.
        var townA = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);
        var sample = await (await townA.PostJsonAsync("/api/drugs/v1/samples", Sample(sampled))).OkJsonAsync();
        var sampleId = sample.GetProperty("id").GetGuid();
        var screening = await (await townA.GetAsync($"/api/drugs/v1/cases/{sample.GetProperty("caseId").GetGuid()}")).OkJsonAsync();
        Assert.Equal("screening", screening.GetProperty("category").GetString());
        Assert.Equal(GridTree.VillageA1, screening.GetProperty("gridId").GetString());

        // The lab confirms a fake.
        var confirmed = await (await townA.PostJsonAsync($"/api/drugs/v1/samples/{sampleId}/lab-result", new { verdict = "Fake", report = "检验报告 JY-2026-118: 未检出阿莫西林" })).OkJsonAsync();
        var major = confirmed.GetProperty("majorCase");
        Assert.Equal("major", major.GetProperty("severity").GetString());
        Assert.Equal(GridTree.County, major.GetProperty("holderGridId").GetString());
        var summoned = confirmed.GetProperty("summons").EnumerateArray().Select(s => s.GetProperty("departmentId").GetString()).ToList();
        Assert.Equal(["market-regulator", "police-bureau", "health-bureau"], summoned);
        Assert.Equal(3, await host.CountAsync("casework.summons", $"case_id = '{major.GetProperty("id").GetGuid()}'"));
        Assert.Equal(new[] { sampled, otherHolder }.Order(), confirmed.GetProperty("blockedAt").EnumerateArray().Select(b => b.GetGuid()).Order());

        var recalled = JsonDocument.Parse(await Wait.ScalarAsync<string>(host.ConnectionString, "SELECT payload FROM casework.outbox WHERE event_type = 'DrugBatchRecalled'")).RootElement;
        Assert.Equal(new[] { sampled, otherHolder }.Order(), recalled.GetProperty("pointIds").EnumerateArray().Select(p => p.GetGuid()).Order());
        Assert.Equal(("B20260901", "fake"), (recalled.GetProperty("batchNumber").GetString(), recalled.GetProperty("verdict").GetString()));

        var c = await (await county.GetAsync($"/api/drugs/v1/cases/{major.GetProperty("id").GetGuid()}")).OkJsonAsync();
        Assert.Equal("fake-drug", c.GetProperty("category").GetString());
        Assert.Equal(GridTree.County, c.GetProperty("holderGridId").GetString());

        // Town B's coordinator sees the batch on their cabinet's recall list, with the quantity received; the point that never had it has none.
        var townB = host.As("coord-b", DrugRoles.Coordinator, GridTree.TownB);
        var recall = Assert.Single((await (await townB.GetAsync($"/api/drugs/v1/points/{otherHolder}/recalls")).OkJsonAsync()).EnumerateArray());
        Assert.Equal("B20260901", recall.GetProperty("batchNumber").GetString());
        Assert.Equal(20, recall.GetProperty("quantity").GetInt32());
        Assert.Empty((await (await county.GetAsync($"/api/drugs/v1/points/{notHolder}/recalls")).OkJsonAsync()).EnumerateArray());

        // The verdict is on the sample, once.
        var after = await (await townA.GetAsync($"/api/drugs/v1/samples/{sampleId}")).OkJsonAsync();
        Assert.Equal("Fake", after.GetProperty("verdict").GetString());
        await (await townA.PostJsonAsync($"/api/drugs/v1/samples/{sampleId}/lab-result", new { verdict = "Substandard" })).ProblemAsync(409);
        Assert.Equal(2, await host.CountAsync("drugs.recalls"));
    }

    [Fact]
    public async Task Bad_samples_lab_results_and_the_wrong_post_are_refused_and_nothing_is_written()
    {
        await using var host = await StartAsync();
        var point = await SupplyPointsTests.FileAsync(host, "东关大药房", SupplyPointKind.RetailPharmacy, GridTree.VillageA1, "91410100MA0000000011");
        var townA = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);

        Assert.Equal(["pointId"], await (await townA.PostJsonAsync("/api/drugs/v1/samples", Sample(Guid.NewGuid()))).FieldErrorsAsync());
        Assert.Equal(["batchNumber", "product", "result"], (await (await townA.PostJsonAsync("/api/drugs/v1/samples", new { pointId = point, manufacturer = "某厂" })).FieldErrorsAsync()).Order().ToArray());
        await (await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).PostJsonAsync("/api/drugs/v1/samples", Sample(point))).ProblemAsync(403);
        await (await host.As("authority-b", DrugRoles.Authority, GridTree.TownB).PostJsonAsync("/api/drugs/v1/samples", Sample(point))).FieldErrorsAsync();
        Assert.Equal(0, await host.CountAsync("drugs.samples"));
        Assert.Equal(0, await host.CountAsync("casework.cases"));

        var sampleId = (await (await townA.PostJsonAsync("/api/drugs/v1/samples", Sample(point))).OkJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(["verdict"], await (await townA.PostJsonAsync($"/api/drugs/v1/samples/{sampleId}/lab-result", new { verdict = "Counterfeit" })).FieldErrorsAsync());
        await (await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).PostJsonAsync($"/api/drugs/v1/samples/{sampleId}/lab-result", new { verdict = "Fake" })).ProblemAsync(403);
        await (await host.As("authority-b", DrugRoles.Authority, GridTree.TownB).PostJsonAsync($"/api/drugs/v1/samples/{sampleId}/lab-result", new { verdict = "Fake" })).ProblemAsync(404);
        Assert.Equal(0, await host.CountAsync("drugs.recalls"));
        Assert.Equal(1, await host.CountAsync("casework.cases"));
        var sample = await (await townA.GetAsync($"/api/drugs/v1/samples/{sampleId}")).OkJsonAsync();
        Assert.Equal(JsonValueKind.Null, sample.GetProperty("verdict").ValueKind);
    }
}
