using Grid.LaborInspection.Domain;
using Grid.Testing;

namespace Grid.LaborInspection.Tests;

/// <summary>巡视检查: the plan the ratings make, inspections with checklist and findings, a finding followed up as a case.</summary>
public class InspectionsTests
{
    internal static object[] Checklist(bool wagesOk = true) =>
    [
        new { item = "contracts", ok = true },
        new { item = "wages", ok = wagesOk, note = wagesOk ? null : "10月工资未发" },
        new { item = "insurance", ok = true },
    ];

    internal static async Task<Guid> FileAsync(LaborHost host, string name, string subject, string grid, int headcount = 40, int signed = 40, int insured = 40, string paid = "2026-10")
    {
        var brigade = host.As("brigade-1", LaborRoles.Brigade);
        return (await (await brigade.PostJsonAsync("/api/labor/v1/employers", EmployersTests.Employer(name, subject, grid, headcount, signed, insured, paid))).OkJsonAsync())
            .GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task The_plan_shows_who_is_due_and_overdue_and_an_inspection_with_a_finding_opens_a_follow_up_case()
    {
        await using var host = await LaborHost.StartAsync();

        // Filed Thursday 19 November: a compliant one (low, yearly), a contract gap (medium, 180 days), one owing wages
        // with gaps everywhere (high, 30 days: due 19 December).
        await FileAsync(host, "守法厂", "91511921MA6D000001", GridTree.VillageA2);
        await FileAsync(host, "缺合同厂", "91511921MA6D000002", GridTree.VillageA1, signed: 30);
        var owing = await FileAsync(host, "欠薪厂", "91511921MA6D000003", GridTree.VillageB1, signed: 20, insured: 10, paid: "2026-08");

        // Thursday 24 December: the high-risk employer is overdue; December's plan asks one inspection of it, none of the others.
        host.Time.Advance(TimeSpan.FromDays(35));
        var brigade = host.As("brigade-1", LaborRoles.Brigade, GridTree.County);
        var plan = await (await brigade.GetAsync("/api/labor/v1/inspections/plan?from=2026-12-01&to=2026-12-31")).OkJsonAsync();
        Assert.Equal(3, plan.GetProperty("employers").GetInt32());
        Assert.Equal(1, plan.GetProperty("overdue").GetInt32());
        Assert.Equal(1, plan.GetProperty("required").GetInt32());
        Assert.Equal(0, plan.GetProperty("done").GetInt32());
        var first = plan.GetProperty("lines")[0];
        Assert.Equal(owing, first.GetProperty("employerId").GetGuid());
        Assert.Equal("2026-12-19", first.GetProperty("nextInspectionDue").GetString());
        Assert.Equal(30, first.GetProperty("intervalDays").GetInt32());
        Assert.True(first.GetProperty("overdue").GetBoolean());
        var byGrid = plan.GetProperty("grids").EnumerateArray().ToDictionary(g => g.GetProperty("gridId").GetString()!, g => g.GetProperty("overdue").GetInt32());
        Assert.Equal(new Dictionary<string, int> { [GridTree.TownA] = 0, [GridTree.TownB] = 1 }, byGrid);

        // Bad input, each refused naming the field, nothing written: an unknown employer, another township's employer,
        // a deadline before the visit, an unknown checklist item; a coordinator does not record inspections.
        var inspector = host.As("insp-b", LaborRoles.Inspector, GridTree.TownB);
        var inspectorA = host.As("insp-a", LaborRoles.Inspector, GridTree.TownA);
        object Body(Guid employer, string rectifyBy = "2027-01-08", string item = "wages") => new
        {
            employerId = employer,
            summary = "例行巡视检查",
            checklist = new object[] { new { item = "contracts", ok = false, note = "20人未签合同" }, new { item, ok = false } },
            findings = new object[]
            {
                new { description = "拖欠劳动者8月以来工资", rectifyBy, followUp = true },
                new { description = "未与20名劳动者订立书面劳动合同", rectifyBy = "2027-01-23", followUp = false },
            },
        };
        Assert.Contains("employerId", await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Body(Guid.NewGuid()))).FieldErrorsAsync());
        Assert.Contains("employerId", await (await inspectorA.PostJsonAsync("/api/labor/v1/inspections", Body(owing))).FieldErrorsAsync());
        Assert.Contains("findings[0].rectifyBy", await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Body(owing, rectifyBy: "2026-12-20"))).FieldErrorsAsync());
        Assert.Contains("checklist[1].item", await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Body(owing, item: "canteen"))).FieldErrorsAsync());
        var coordinator = host.As("coord-b1", LaborRoles.Coordinator, GridTree.VillageB1);
        Assert.Equal("role", (await (await coordinator.PostJsonAsync("/api/labor/v1/inspections", Body(owing))).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(0, await host.CountAsync("labor.inspections"));
        Assert.Equal(0, await host.CountAsync("casework.cases"));

        // The inspector of town-b records it: the first finding opens a follow-up case, the file is re-rated from the visit.
        var recorded = await (await inspector.PostJsonAsync("/api/labor/v1/inspections", Body(owing))).OkJsonAsync();
        var inspection = recorded.GetProperty("inspection");
        var id = inspection.GetProperty("id").GetGuid();
        Assert.Equal("2026-12-24", inspection.GetProperty("inspectedOn").GetString());
        var followUp = Assert.Single(recorded.GetProperty("followUps").EnumerateArray());
        Assert.Equal(0, followUp.GetProperty("finding").GetInt32());
        var caseId = followUp.GetProperty("caseId").GetGuid();
        Assert.Equal(1, await host.CountAsync("casework.cases", $"id = '{caseId}' AND category = 'finding' AND domain = 'labor'"));
        Assert.Equal("2027-01-23", recorded.GetProperty("rating").GetProperty("nextInspectionDue").GetString());

        // The case id is on the finding as stored (written in the case's transaction), the second finding has none.
        var stored = await (await brigade.GetAsync($"/api/labor/v1/inspections/{id}")).OkJsonAsync();
        Assert.Equal(caseId, stored.GetProperty("findings")[0].GetProperty("caseId").GetGuid());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, stored.GetProperty("findings")[1].GetProperty("caseId").ValueKind);
        var history = await (await brigade.GetAsync($"/api/labor/v1/employers/{owing}/records")).OkJsonAsync();
        Assert.Equal("Violation", history[0].GetProperty("kind").GetString());

        // The rectification order (限期整改指令书) prints both findings with their deadlines.
        var order = await brigade.GetAsync($"/api/labor/v1/inspections/{id}/order");
        Assert.Equal("text/html", order.Content.Headers.ContentType?.MediaType);
        var html = await order.Content.ReadAsStringAsync();
        Assert.Contains("劳动保障监察限期整改指令书", html);
        Assert.Contains("欠薪厂", html);
        Assert.Contains("拖欠劳动者8月以来工资，限 <strong>2027年1月8日</strong> 前改正", html);
        Assert.Contains("未与20名劳动者订立书面劳动合同，限 <strong>2027年1月23日</strong> 前改正", html);
        Assert.Contains("劳动保障监察条例》第十八条", html);
        await (await coordinator.GetAsync($"/api/labor/v1/inspections/{id}/order")).ProblemAsync(403);
        await (await inspectorA.GetAsync($"/api/labor/v1/inspections/{id}/order")).ProblemAsync(404);

        // The follow-up case is labor's: the township office of town-b sees and can work it like any case.
        var office = host.As("office-b", LaborRoles.Office, GridTree.TownB);
        Assert.Equal("reported", (await (await office.GetAsync($"/api/labor/v1/cases/{caseId}")).OkJsonAsync()).GetProperty("state").GetString());

        // December's plan now has the visit done and nothing overdue; town-a's inspector does not see the inspection.
        var after = await (await brigade.GetAsync("/api/labor/v1/inspections/plan?from=2026-12-01&to=2026-12-31")).OkJsonAsync();
        Assert.Equal(1, after.GetProperty("done").GetInt32());
        Assert.Equal(0, after.GetProperty("overdue").GetInt32());
        await (await inspectorA.GetAsync($"/api/labor/v1/inspections/{id}")).ProblemAsync(404);

        // Town A's inspector, asking without a grid, gets the plan of its township, one row per village; town B's is not theirs.
        var own = await (await inspectorA.GetAsync("/api/labor/v1/inspections/plan?from=2026-12-01&to=2026-12-31")).OkJsonAsync();
        Assert.Equal(GridTree.TownA, own.GetProperty("gridId").GetString());
        Assert.Equal([GridTree.VillageA1, GridTree.VillageA2], own.GetProperty("grids").EnumerateArray().Select(g => g.GetProperty("gridId").GetString()));
        Assert.Equal("grid", (await (await inspectorA.GetAsync($"/api/labor/v1/inspections/plan?gridId={GridTree.TownB}")).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(0, (await (await inspectorA.GetAsync("/api/labor/v1/inspections")).OkJsonAsync()).GetProperty("items").GetArrayLength());
    }
}
