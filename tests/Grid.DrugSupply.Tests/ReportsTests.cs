using Grid.Contracts.Roles;
using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>Hotline reports (举报电话) with the reporter sealed; a price complaint referred to the price authority and its result back.</summary>
public class ReportsTests
{
    private const string ReporterName = "赵桂兰";
    private const string ReporterPhone = "13700001111";

    private static object PriceComplaint() => new
    {
        category = DrugCaseCategories.Price,
        severity = "general",
        title = "东关大药房感冒灵标价高于统一价格",
        description = "举报人反映感冒灵颗粒标价 28 元，统一价 16.5 元",
        source = "hotline",
        gridId = GridTree.VillageA1,
        reporter = new { name = ReporterName, phone = ReporterPhone },
    };

    [Fact]
    public async Task A_price_complaint_is_referred_to_the_price_authority_and_its_result_comes_back_with_the_reporter_sealed()
    {
        await using var host = await DrugsHost.StartAsync();
        var authority = host.As("authority-a", DrugRoles.Authority, GridTree.TownA);
        var created = await authority.PostJsonAsync("/api/drugs/v1/cases", PriceComplaint());
        var body = await created.Content.ReadAsStringAsync();
        var caseId = (await created.OkJsonAsync()).GetProperty("id").GetGuid();
        Assert.DoesNotContain(ReporterName, body);

        // Only the reward centre reads who reported; the authority working the case does not.
        await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}/reporter")).ProblemAsync(403);
        var rewardCentre = host.As("reward-1", GridRoles.RewardCentre, GridTree.County);
        var reporter = await (await rewardCentre.GetAsync($"/api/drugs/v1/cases/{caseId}/reporter")).OkJsonAsync();
        Assert.Equal(ReporterName, reporter.GetProperty("name").GetString());
        Assert.DoesNotContain(ReporterPhone, await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).Content.ReadAsStringAsync());

        // An unknown department is named and nothing is sent; a coordinator does not refer.
        Assert.Equal(["departmentId"], await (await authority.PostJsonAsync($"/api/drugs/v1/cases/{caseId}/refer", new { departmentId = "DEPT-NOWHERE" })).FieldErrorsAsync());
        await (await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).PostJsonAsync($"/api/drugs/v1/cases/{caseId}/refer", new { })).ProblemAsync(403);
        Assert.Equal(0, await host.CountAsync("drugs.referrals"));
        Assert.Equal("reported", (await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync()).GetProperty("state").GetString());

        // The category's department by default: the price authority, with the result due in 15 days.
        var referral = await (await authority.PostJsonAsync($"/api/drugs/v1/cases/{caseId}/refer", new { reason = "价格违法属价格主管部门" })).OkJsonAsync();
        Assert.Equal("price-authority", referral.GetProperty("departmentId").GetString());
        Assert.Equal(host.Time.GetUtcNow().AddDays(15), referral.GetProperty("resultDueBy").GetDateTimeOffset());
        var sent = await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync();
        Assert.Equal("dispatched", sent.GetProperty("state").GetString());
        Assert.Equal("price-authority", sent.GetProperty("department").GetString());

        // The result comes back: the case is handled with it; the authority verifies and closes.
        var referralId = referral.GetProperty("id").GetGuid();
        Assert.Equal(["result"], await (await authority.PostJsonAsync($"/api/drugs/v1/referrals/{referralId}/result", new { result = " " })).FieldErrorsAsync());
        host.Time.Advance(TimeSpan.FromDays(6));
        var back = await (await authority.PostJsonAsync($"/api/drugs/v1/referrals/{referralId}/result", new { result = "已立案查处，责令按统一价格销售并罚款 2000 元" })).OkJsonAsync();
        Assert.Equal("handled", back.GetProperty("state").GetString());
        var handled = await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}")).OkJsonAsync();
        Assert.Contains("价格监督检查局处理结果: 已立案查处", handled.GetProperty("result").GetString());
        (await authority.PostJsonAsync($"/api/drugs/v1/cases/{caseId}/verify", new { passed = true })).EnsureSuccessStatusCode();
        (await authority.PostJsonAsync($"/api/drugs/v1/cases/{caseId}/close", new { })).EnsureSuccessStatusCode();
        var listed = Assert.Single((await (await authority.GetAsync($"/api/drugs/v1/cases/{caseId}/referrals")).OkJsonAsync()).EnumerateArray());
        Assert.Equal("已立案查处，责令按统一价格销售并罚款 2000 元", listed.GetProperty("result").GetString());
        await (await authority.PostJsonAsync($"/api/drugs/v1/referrals/{referralId}/result", new { result = "再次" })).ProblemAsync(409);
    }

    [Fact]
    public async Task An_informant_reports_from_the_village_and_a_report_of_an_unknown_category_is_refused()
    {
        await using var host = await DrugsHost.StartAsync();
        var informant = host.As("informant-a1", DrugRoles.Informant, GridTree.VillageA1);
        var report = new { category = DrugCaseCategories.UnlicensedPractice, severity = "general", title = "村内有人无证行医并销售药品", description = "南湖组王某在家中挂吊瓶", source = "report", gridId = GridTree.VillageA1 };
        var id = (await (await informant.PostJsonAsync("/api/drugs/v1/cases", report)).OkJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(["category"], await (await informant.PostJsonAsync("/api/drugs/v1/cases", report with { category = "gossip" })).FieldErrorsAsync());
        await (await informant.PostJsonAsync("/api/drugs/v1/cases", report with { gridId = GridTree.VillageB1 })).ProblemAsync(403);
        Assert.Equal(1, await host.CountAsync("casework.cases"));

        // Where they stand: the point is resolved in the drugs hierarchy (the test tree puts longitude 116.x in compound-a1x).
        var byPoint = await (await informant.PostJsonAsync("/api/drugs/v1/cases", new { category = "other", severity = "general", title = "村卫生室销售过期药品", source = "report", longitude = 116.5, latitude = 30.0 })).OkJsonAsync();
        Assert.Equal(GridTree.CompoundA1X, byPoint.GetProperty("gridId").GetString());

        // Unlicensed practice goes to health by default.
        var referral = await (await host.As("authority-a", DrugRoles.Authority, GridTree.TownA).PostJsonAsync($"/api/drugs/v1/cases/{id}/refer", new { })).OkJsonAsync();
        Assert.Equal("health-bureau", referral.GetProperty("departmentId").GetString());
    }
}
