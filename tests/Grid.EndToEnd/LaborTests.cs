using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Roles;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>Labor inspection through the gateway with the demo county's labor log-ins and demo employers.</summary>
[Collection(SuiteCollection.Name)]
public class LaborTests(AssembledSuite suite)
{
    [Fact]
    public async Task A_coordinators_complaint_reaches_the_command_centre_sealed_and_the_township_settles_it()
    {
        var everyone = await suite.DemoUsersAsync();
        var coordinator = everyone.Single(u => u.UserName == "labor01");
        var inspector = everyone.Single(u => u.UserName == "labor-inspector01");
        var office = everyone.Single(u => u.UserName == "town01-labor");
        var commander = everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander));

        // The coordinator's own village grid has demo employers on file (一户一档).
        var employers = await Cases.ReadAsync(await coordinator.Http.GetAsync("/api/labor/v1/employers?limit=5"), "employers");
        var employer = employers.GetProperty("items").EnumerateArray().First();
        const string complainant = "孙桂兰";
        using var taken = await coordinator.Http.PostAsJsonAsync("/api/labor/v1/complaints", new
        {
            employerId = employer.GetProperty("id").GetString(),
            channel = "village",
            title = "拖欠两个月工资",
            violationEndedOn = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM-dd"),
            workers = 2,
            amountClaimed = 8600.50m,
            complainant = new { name = complainant, phone = "13700001111" },
        });
        var body = await taken.Content.ReadAsStringAsync();
        Assert.True(taken.StatusCode == HttpStatusCode.Created, $"complaint: {(int)taken.StatusCode} {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("complaint").GetProperty("caseId").GetString()!;
        var theCase = await Cases.GetAsync(coordinator, "labor", id);

        // On the command centre's open board, without who complained.
        await Cases.SeenByCommandCentreAsync(commander, "labor", theCase, "reported");
        using (var open = await commander.Http.GetAsync($"/api/command/v1/cases?domain=labor&board=open&grid={Cases.GridPath(theCase)[^1]}"))
        {
            var text = await open.Content.ReadAsStringAsync();
            Assert.Contains(id, text);
            Assert.DoesNotContain(complainant, text);
        }

        // 保密: the inspector on the case may not read the complainant; the township office may.
        using (var refused = await inspector.Http.GetAsync($"/api/labor/v1/cases/{id}/reporter"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var reporter = await Cases.ReadAsync(await office.Http.GetAsync($"/api/labor/v1/cases/{id}/reporter"), "reporter");
        Assert.Equal(complainant, reporter.GetProperty("name").GetString());

        // The township office accepts and settles it by mediation (调处); the command centre follows.
        Assert.Equal("accepted", (await Cases.StepAsync(office, "labor", id, "accept")).GetProperty("state").GetString());
        using var mediated = await office.Http.PostAsJsonAsync($"/api/labor/v1/complaints/{id}/mediation", new
        {
            parties = new[] { new { side = "worker", name = complainant }, new { side = "employer", name = employer.GetProperty("name").GetString()! } },
            amountClaimed = 8600.50m,
            amountAgreed = 8000m,
        });
        Assert.True(mediated.StatusCode == HttpStatusCode.Created, $"mediation: {(int)mediated.StatusCode} {await mediated.Content.ReadAsStringAsync()}");
        await Cases.SeenByCommandCentreAsync(commander, "labor", theCase, "handled");
    }

    [Fact]
    public async Task A_workplace_fire_hazard_found_by_labor_goes_to_the_fire_brigade_and_its_result_comes_back()
    {
        var everyone = await suite.DemoUsersAsync();
        var coordinator = everyone.Single(u => u.UserName == "labor01");
        var office = everyone.Single(u => u.UserName == "town01-labor");
        var brigade = everyone.Single(u => u.UserName == "fire-county");

        // A labor case with no position: its grid is a labor grid, which no fire post holds.
        var employers = await Cases.ReadAsync(await coordinator.Http.GetAsync("/api/labor/v1/employers?limit=5"), "employers");
        var employer = employers.GetProperty("items").EnumerateArray().Last();
        var reported = await Cases.ReadAsync(await coordinator.Http.PostAsJsonAsync("/api/labor/v1/cases", new
        {
            category = "inspection",
            severity = "general",
            title = "车间安全出口被货物堵塞",
            gridId = employer.GetProperty("gridId").GetString(),
        }), "labor case");
        var id = reported.GetProperty("id").GetString()!;
        await Cases.StepAsync(office, "labor", id, "accept");
        await Cases.StepAsync(office, "labor", id, "transfer", new { targetDomain = "fire", reason = "消防安全隐患属消防救援机构职责" });
        var transferred = await Cases.WaitForAsync(office, "labor", id,
            c => c.GetProperty("transferCaseId").ValueKind == JsonValueKind.String, "fire to take the transfer");
        var fireId = transferred.GetProperty("transferCaseId").GetString()!;

        // Fire places it at the top of its own hierarchy, where the county brigade works it to closure.
        var fireCase = await Cases.GetAsync(brigade, "fire", fireId);
        Assert.Single(Cases.GridPath(fireCase));
        await Cases.StepAsync(brigade, "fire", fireId, "accept");
        await Cases.StepAsync(brigade, "fire", fireId, "dispatch", new { assignee = "城关镇消防专干" });
        await Cases.StepAsync(brigade, "fire", fireId, "start");
        await Cases.StepAsync(brigade, "fire", fireId, "handle", new { result = "已责令清理安全出口并复查合格" });
        await Cases.StepAsync(brigade, "fire", fireId, "verify", new { passed = true });
        Assert.Equal("closed", (await Cases.StepAsync(brigade, "fire", fireId, "close")).GetProperty("state").GetString());

        // The result is fed back to the labor case (将结果反馈移交单位).
        var back = await Cases.WaitForAsync(office, "labor", id,
            c => c.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.String, "fire's result to come back to labor");
        Assert.Contains("已责令清理安全出口", back.GetProperty("result").GetString());
    }

    [Fact]
    public async Task The_township_works_a_campaign_task_to_a_printed_order_and_reads_its_staffing_plan_figures_and_ledgers()
    {
        var everyone = await suite.DemoUsersAsync();
        var coordinator = everyone.Single(u => u.UserName == "labor01");
        var inspector = everyone.Single(u => u.UserName == "labor-inspector01");
        var office = everyone.Single(u => u.UserName == "town01-labor");
        var county = everyone.Single(u => u.UserName == "labor-county");
        var commander = everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander));

        // 配备: the demo county leaves grids below the minimum (a township with one inspector); a coordinator may not ask.
        var staffing = await Cases.ReadAsync(await county.Http.GetAsync("/api/labor/v1/staffing"), "staffing report");
        Assert.True(staffing.GetProperty("belowMinimum").GetInt32() > 0, staffing.ToString());
        Assert.All(staffing.GetProperty("grids").EnumerateArray(), g => Assert.True(g.GetProperty("present").GetInt32() < g.GetProperty("required").GetInt32(), g.ToString()));
        using (var refused = await coordinator.Http.GetAsync("/api/labor/v1/staffing"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // 专项检查: the demo campaign over the township; the inspector completes one open task with a finding to follow up.
        var campaigns = await Cases.ReadAsync(await office.Http.GetAsync("/api/labor/v1/campaigns?current=true"), "campaigns");
        var campaignId = campaigns.EnumerateArray().First().GetProperty("id").GetString()!;
        var before = await Cases.ReadAsync(await office.Http.GetAsync($"/api/labor/v1/campaigns/{campaignId}"), "campaign progress");
        var tasks = await Cases.ReadAsync(await inspector.Http.GetAsync($"/api/labor/v1/campaigns/{campaignId}/tasks?status=open&limit=1"), "open tasks");
        var task = tasks.GetProperty("items").EnumerateArray().First();
        var visit = new
        {
            employerId = task.GetProperty("employerId").GetString(),
            taskId = task.GetProperty("id").GetString(),
            checklist = new object[] { new { item = "wages", ok = false, note = "11月工资未发" }, new { item = "contracts", ok = true } },
            findings = new[] { new { description = "拖欠劳动者11月工资", rectifyBy = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd"), followUp = true } },
        };
        var recorded = await Cases.ReadAsync(await inspector.Http.PostAsJsonAsync("/api/labor/v1/inspections", visit), "inspection");
        var inspectionId = recorded.GetProperty("inspection").GetProperty("id").GetString()!;
        var followUp = recorded.GetProperty("followUps")[0].GetProperty("caseId").GetString()!;
        using (var again = await inspector.Http.PostAsJsonAsync("/api/labor/v1/inspections", visit))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        var after = await Cases.ReadAsync(await office.Http.GetAsync($"/api/labor/v1/campaigns/{campaignId}"), "campaign progress");
        Assert.Equal(before.GetProperty("done").GetInt32() + 1, after.GetProperty("done").GetInt32());

        // 限期整改指令书, printable; the finding's case reaches the command centre's board.
        using (var order = await inspector.Http.GetAsync($"/api/labor/v1/inspections/{inspectionId}/order"))
        {
            Assert.Equal(HttpStatusCode.OK, order.StatusCode);
            var html = await order.Content.ReadAsStringAsync();
            Assert.Contains("劳动保障监察限期整改指令书", html);
            Assert.Contains("拖欠劳动者11月工资", html);
        }

        await Cases.SeenByCommandCentreAsync(commander, "labor", await Cases.GetAsync(office, "labor", followUp), "reported");

        // 建档进度: the demo county's surveys against the files, per phase.
        var rollout = await Cases.ReadAsync(await office.Http.GetAsync("/api/labor/v1/rollout"), "roll-out");
        var phases = rollout.GetProperty("total").GetProperty("phases").EnumerateArray().ToList();
        Assert.Equal(2, phases.Count);
        Assert.All(phases, p => Assert.True(p.GetProperty("surveyed").GetInt32() >= p.GetProperty("filed").GetInt32() && p.GetProperty("surveyed").GetInt32() > 0, p.ToString()));

        // The plan, the month's figures per township and the ledgers, each scoped to who asks.
        var plan = await Cases.ReadAsync(await office.Http.GetAsync("/api/labor/v1/inspections/plan"), "inspection plan");
        Assert.True(plan.GetProperty("employers").GetInt32() > 0, plan.ToString());
        var month = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM");
        var monthly = await Cases.ReadAsync(await county.Http.GetAsync($"/api/labor/v1/statistics/monthly?month={month}"), "monthly report");
        Assert.Contains(monthly.GetProperty("rows").EnumerateArray(), r => r.GetProperty("employersInspected").GetInt32() > 0);
        foreach (var ledger in new[] { "employers", "complaints", "inspections" })
        {
            using var xlsx = await office.Http.GetAsync($"/api/labor/v1/{ledger}/ledger.xlsx");
            Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
            Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        }

        using (var refused = await coordinator.Http.GetAsync("/api/labor/v1/complaints/ledger.xlsx"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }
}
