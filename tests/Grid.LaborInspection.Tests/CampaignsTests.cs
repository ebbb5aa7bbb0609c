using Grid.LaborInspection.Domain;
using Grid.Testing;

namespace Grid.LaborInspection.Tests;

/// <summary>专项检查: a campaign makes a task per employer in scope; an inspection against a task completes it.</summary>
public class CampaignsTests
{
    private static object Campaign(string grid, string from = "2026-11-19", string to = "2027-01-31", int? minHeadcount = null, string? minRisk = null) =>
        new { name = "春节前农民工工资支付专项检查", gridId = grid, from, to, minHeadcount, minRisk };

    [Fact]
    public async Task A_campaign_makes_one_task_per_employer_in_scope_and_its_progress_counts_the_inspections_per_grid()
    {
        await using var host = await LaborHost.StartAsync();
        var a1 = await InspectionsTests.FileAsync(host, "甲厂", "91511921MA6E000001", GridTree.VillageA1);
        await InspectionsTests.FileAsync(host, "乙店", "91511921MA6E000002", GridTree.VillageA1, headcount: 5, signed: 5, insured: 5);
        await InspectionsTests.FileAsync(host, "丙厂", "91511921MA6E000003", GridTree.VillageA2, signed: 30);
        await InspectionsTests.FileAsync(host, "丁厂", "91511921MA6E000004", GridTree.VillageB1);
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);

        // Bad input and another township: refused, nothing written.
        Assert.Contains("to", await (await office.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.TownA, to: "2026-11-01"))).FieldErrorsAsync());
        Assert.Contains("gridId", await (await office.PostJsonAsync("/api/labor/v1/campaigns", Campaign("nowhere"))).FieldErrorsAsync());
        Assert.Contains("gridId", await (await office.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.TownA, minHeadcount: 1000))).FieldErrorsAsync());
        Assert.Contains("minRisk", await (await office.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.TownA, minRisk: "Extreme"))).FieldErrorsAsync());
        Assert.Equal("grid", (await (await office.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.TownB))).ProblemAsync(403)).GetProperty("claim").GetString());
        var inspector = host.As("insp-a", LaborRoles.Inspector, GridTree.TownA);
        Assert.Equal("role", (await (await inspector.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.TownA))).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(0, await host.CountAsync("labor.campaigns"));
        Assert.Equal(0, await host.CountAsync("labor.campaign_tasks"));

        // Town A's campaign: its three employers, one task each.
        var created = await (await office.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.TownA))).OkJsonAsync();
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(3, created.GetProperty("tasks").GetInt32());
        Assert.Equal(3, await host.CountAsync("labor.campaign_tasks", $"\"CampaignId\" = '{id}'"));
        var progress = await (await office.GetAsync($"/api/labor/v1/campaigns/{id}")).OkJsonAsync();
        Assert.Equal((0, 3), (progress.GetProperty("done").GetInt32(), progress.GetProperty("total").GetInt32()));
        Assert.Equal("running", progress.GetProperty("status").GetString());

        // The inspector takes the task of 甲厂 from the open list and records the visit against it: the task is done.
        var open = await (await inspector.GetAsync($"/api/labor/v1/campaigns/{id}/tasks?status=open&gridId={GridTree.VillageA1}")).OkJsonAsync();
        Assert.Equal(2, open.GetProperty("items").GetArrayLength());
        var task = open.GetProperty("items").EnumerateArray().First(t => t.GetProperty("employerName").GetString() == "甲厂").GetProperty("id").GetGuid();
        object Visit(string? on = null) => new { employerId = a1, taskId = task, inspectedOn = on, checklist = InspectionsTests.Checklist() };
        Assert.Contains("inspectedOn", await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Visit("2026-11-18"))).FieldErrorsAsync());
        Assert.Equal(0, await host.CountAsync("labor.inspections"));
        host.Time.Advance(TimeSpan.FromDays(6));
        var visit = await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Visit())).OkJsonAsync();
        Assert.Equal(id, visit.GetProperty("inspection").GetProperty("campaignId").GetGuid());
        var orderless = visit.GetProperty("inspection").GetProperty("id").GetGuid();
        Assert.Equal("No rectification order", (await (await office.GetAsync($"/api/labor/v1/inspections/{orderless}/order")).ProblemAsync(404)).GetProperty("title").GetString());

        // A second visit against the same task is refused; the employer's history has the one inspection.
        await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Visit())).ProblemAsync(409);
        Assert.Equal(1, await host.CountAsync("labor.inspections"));
        Assert.Equal(1, await host.CountAsync("labor.compliance_records", $"\"EmployerId\" = '{a1}' AND \"Kind\" = 'Inspection' AND \"On\" = '2026-11-25'"));

        // Progress per village: village-a1 1 of 2, village-a2 0 of 1.
        progress = await (await office.GetAsync($"/api/labor/v1/campaigns/{id}")).OkJsonAsync();
        var rows = progress.GetProperty("grids").EnumerateArray()
            .Select(g => (g.GetProperty("gridId").GetString(), g.GetProperty("done").GetInt32(), g.GetProperty("total").GetInt32())).ToList();
        Assert.Equal([(GridTree.VillageA1, 1, 2), (GridTree.VillageA2, 0, 1)], rows);
        Assert.Equal(1, (await (await inspector.GetAsync($"/api/labor/v1/campaigns/{id}/tasks?status=done")).OkJsonAsync()).GetProperty("items").GetArrayLength());

        // The coordinator of village-a1 sees the campaign through its village's tasks only; town B's office not at all.
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);
        Assert.Single((await (await coordinator.GetAsync("/api/labor/v1/campaigns")).OkJsonAsync()).EnumerateArray());
        Assert.Equal(2, (await (await coordinator.GetAsync($"/api/labor/v1/campaigns/{id}")).OkJsonAsync()).GetProperty("total").GetInt32());
        var officeB = host.As("office-b", LaborRoles.Office, GridTree.TownB);
        Assert.Empty((await (await officeB.GetAsync("/api/labor/v1/campaigns")).OkJsonAsync()).EnumerateArray());
        await (await officeB.GetAsync($"/api/labor/v1/campaigns/{id}")).ProblemAsync(404);

        // A county campaign of the brigade over the medium-risk and worse: only 丙厂 (a contract gap).
        var brigade = host.As("brigade-1", LaborRoles.Brigade, GridTree.County);
        var risky = await (await brigade.PostJsonAsync("/api/labor/v1/campaigns", Campaign(GridTree.County, minRisk: "Medium"))).OkJsonAsync();
        Assert.Equal(1, risky.GetProperty("tasks").GetInt32());
    }
}
