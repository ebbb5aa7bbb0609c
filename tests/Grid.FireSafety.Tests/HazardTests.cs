using System.Net;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.FireSafety.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.FireSafety.Tests;

public class HazardTests
{
    private static object Shop(string grid) => new
    {
        name = "东街12号副食店",
        category = "StreetShop",
        fileKind = "Unit",
        gridId = grid,
        address = "城关镇东街12号",
        responsiblePerson = "王建国",
    };

    private static string State(JsonElement hazardView) => hazardView.GetProperty("case").GetProperty("state").GetString()!;

    private static async Task<(Guid PlaceId, Guid CaseId)> ReportAsync(FireHost host, string title = "电动车在楼道内充电")
    {
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        var place = await (await office.PostJsonAsync("/api/fire/v1/places", Shop(FireHost.Small1))).OkJsonAsync();
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        var hazard = await (await gw.PostJsonAsync("/api/fire/v1/hazards", new
        {
            gridId = FireHost.Small1,
            placeId = place.GetProperty("id").GetGuid(),
            area = "electricity",
            title,
            description = "楼道内私拉电线为电动车充电",
        })).OkJsonAsync();
        Assert.Equal("reported", State(hazard));
        return (place.GetProperty("id").GetGuid(), hazard.GetProperty("case").GetProperty("id").GetGuid());
    }

    /// <summary>Found by the grid worker → sent up by the village → rectification ordered → handled → re-inspected → closed.</summary>
    [Fact]
    public async Task A_hazard_goes_through_village_submission_rectification_and_reinspection_to_closure()
    {
        await using var host = await FireHost.StartAsync();
        var (_, id) = await ReportAsync(host);

        var manager = host.As("vm-1", FireRoles.VillageFireManager, FireHost.Village);
        var summary = await (await manager.GetAsync($"/api/fire/v1/villages/{FireHost.Village}/hazard-summary")).OkJsonAsync();
        Assert.Equal(1, summary.GetProperty("notYetSubmitted").GetInt32());
        var submitted = await (await manager.PostAsync($"/api/fire/v1/villages/{FireHost.Village}/submissions", null)).OkJsonAsync();
        Assert.Equal(1, submitted.GetProperty("submitted").GetArrayLength());

        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        var held = await (await office.GetAsync($"/api/fire/v1/hazards/{id}")).OkJsonAsync();
        Assert.Equal(FireHost.Town, held.GetProperty("case").GetProperty("holderGridId").GetString());

        var deadline = host.Time.GetUtcNow().AddDays(10);
        var ordered = await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new
        {
            deadline,
            items = new[] { "拆除楼道内私拉电线", "电动车集中到充电棚充电" },
        })).OkJsonAsync();
        Assert.Equal("dispatched", State(ordered));
        var notice = ordered.GetProperty("notices")[0];
        Assert.Matches(@"^消整字〔2026〕第0001号$", notice.GetProperty("number").GetString());
        Assert.Equal("东街12号副食店", ordered.GetProperty("case").GetProperty("assignee").GetString());

        var html = await (await office.GetAsync($"/api/fire/v1/hazards/{id}/notice")).Content.ReadAsStringAsync();
        Assert.Contains("整改通知书", html);
        Assert.Contains("消整字〔2026〕第0001号", html);
        Assert.Contains("拆除楼道内私拉电线", html);
        Assert.Contains("第十六条", html);
        Assert.Contains("第六十条", html);
        Assert.Contains(deadline.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy年M月d日"), html);

        // The unit rectifies; the grid worker reports it done through the shared case steps.
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        await (await gw.PostJsonAsync($"/api/fire/v1/cases/{id}/start", new { })).OkJsonAsync();
        await (await gw.PostJsonAsync($"/api/fire/v1/cases/{id}/handle", new { result = "电线已拆除，设置集中充电点" })).OkJsonAsync();

        var closed = await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = true, note = "复查合格" })).OkJsonAsync();
        Assert.Equal("closed", State(closed));
        Assert.Equal("closed", closed.GetProperty("notices")[0].GetProperty("status").GetString());
        Assert.True(closed.GetProperty("notices")[0].GetProperty("reInspections")[0].GetProperty("passed").GetBoolean());

        // Every step went through Casework's outbox and audit chain.
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'CaseClosed'"));
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'CaseDispatched'"));
        var audit = await (await host.As("aud-1", "auditor").GetAsync("/api/fire/v1/cases/audit/verify")).OkJsonAsync();
        Assert.True(audit.GetProperty("valid").GetBoolean());

        // Statistics of the township: 东街社区 found 1, cleared 1 on time; its rectification met the deadline; the others found none.
        var stats = await (await office.GetAsync($"/api/fire/v1/statistics/hazards?gridId={FireHost.Town}&from=2026-11-01&to=2026-11-30")).OkJsonAsync();
        var first = stats.GetProperty("rows")[0];
        Assert.Equal((FireHost.Village, 1, 1L, 1.0, 1.0, 1), (first.GetProperty("gridId").GetString(), first.GetProperty("rank").GetInt32(),
            first.GetProperty("found").GetInt64(), first.GetProperty("clearanceRate").GetDouble(), first.GetProperty("rectificationOnTimeRate").GetDouble(),
            first.GetProperty("rectifiedByDeadline").GetInt32()));
        Assert.Equal(3, stats.GetProperty("rows").GetArrayLength());
        Assert.Equal(0, stats.GetProperty("rows")[1].GetProperty("found").GetInt64());

        var ledger = await office.GetAsync($"/api/fire/v1/hazards/ledger.xlsx?gridId={FireHost.Town}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ledger.Content.Headers.ContentType?.MediaType);
        var rows = MiniExcelLibs.MiniExcel.Query(await ledger.Content.ReadAsStreamAsync(), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal("电动车在楼道内充电", Assert.Single(rows)["隐患"]);
    }

    [Fact]
    public async Task An_on_the_spot_fix_waits_for_the_village_check_and_a_failed_reinspection_reopens_a_rectification()
    {
        await using var host = await FireHost.StartAsync();
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        var fixedNow = await (await gw.PostJsonAsync("/api/fire/v1/hazards", new
        {
            gridId = FireHost.Small1,
            area = "evacuation",
            title = "安全出口堆放杂物",
            fixedOnSpot = true,
            result = "当场督促清理",
        })).OkJsonAsync();
        Assert.Equal("handled", State(fixedNow));
        var fastId = fixedNow.GetProperty("case").GetProperty("id").GetGuid();
        var manager = host.As("vm-1", FireRoles.VillageFireManager, FireHost.Village);
        Assert.Equal("closed", State(await (await manager.PostJsonAsync($"/api/fire/v1/hazards/{fastId}/reinspection", new { passed = true })).OkJsonAsync()));

        // Rectification whose re-inspection fails: reopened (返工), then passes.
        var (_, id) = await ReportAsync(host);
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new
        {
            deadline = host.Time.GetUtcNow().AddDays(7),
            items = new[] { "拆除私拉电线" },
        })).OkJsonAsync();
        await (await gw.PostJsonAsync($"/api/fire/v1/cases/{id}/start", new { })).OkJsonAsync();
        await (await gw.PostJsonAsync($"/api/fire/v1/cases/{id}/handle", new { result = "已整改" })).OkJsonAsync();
        var failed = await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = false, note = "电线仍未拆除" })).OkJsonAsync();
        Assert.Equal("reopened", State(failed));
        Assert.Equal(1, failed.GetProperty("case").GetProperty("reopenCount").GetInt32());
        Assert.Equal("failed", failed.GetProperty("notices")[0].GetProperty("status").GetString());
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'CaseReopened'"));

        await (await gw.PostJsonAsync($"/api/fire/v1/cases/{id}/start", new { })).OkJsonAsync();
        await (await gw.PostJsonAsync($"/api/fire/v1/cases/{id}/handle", new { result = "已拆除" })).OkJsonAsync();
        Assert.Equal("closed", State(await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = true })).OkJsonAsync()));
    }

    [Fact]
    public async Task Wrong_role_past_deadline_and_unknown_place_are_refused_and_nothing_is_written()
    {
        await using var host = await FireHost.StartAsync();
        var (_, id) = await ReportAsync(host);
        var notices = await host.CountAsync("fire.rectification_notices");
        var cases = await host.CountAsync("casework.cases");
        var outbox = await host.CountAsync("casework.outbox");

        // A grid worker may not order rectification; a patrol may not re-inspect.
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        Assert.Equal(HttpStatusCode.Forbidden, (await gw.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new
        {
            deadline = host.Time.GetUtcNow().AddDays(7),
            items = new[] { "x" },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.As("pt-1", FireRoles.Patrol, FireHost.Small1)
            .PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = true })).StatusCode);

        // A deadline in the past, no items.
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        var past = await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new { deadline = host.Time.GetUtcNow().AddDays(-1), items = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        var body = await past.Content.ReadAsStringAsync();
        Assert.Contains("\"deadline\"", body);
        Assert.Contains("\"items\"", body);

        // Re-inspection of a hazard nobody handled: the life cycle refuses it, naming the state.
        var early = await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = true });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("reported", await early.Content.ReadAsStringAsync());

        // An unknown place, an unknown area, malformed JSON.
        var unknown = await gw.PostJsonAsync("/api/fire/v1/hazards", new { gridId = FireHost.Small1, placeId = Guid.NewGuid(), area = "magic", title = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var unknownBody = await unknown.Content.ReadAsStringAsync();
        Assert.Contains("\"placeId\"", unknownBody);
        Assert.Contains("\"area\"", unknownBody);
        var malformed = await gw.PostAsync("/api/fire/v1/hazards", new StringContent("{\"gridId\": \"x\", \"major\": maybe}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("\"major\"", await malformed.Content.ReadAsStringAsync());

        Assert.Equal(notices, await host.CountAsync("fire.rectification_notices"));
        Assert.Equal(cases, await host.CountAsync("casework.cases"));
        Assert.Equal(outbox, await host.CountAsync("casework.outbox"));
        Assert.Equal("reported", State(await (await office.GetAsync($"/api/fire/v1/hazards/{id}")).OkJsonAsync()));
    }

    [Fact]
    public async Task An_overdue_rectification_is_breached_against_the_unit_and_escalates()
    {
        await using var host = await FireHost.StartAsync();
        var (_, id) = await ReportAsync(host);
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        var deadline = host.Time.GetUtcNow().AddDays(5);
        await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new { deadline, items = new[] { "拆除私拉电线" } })).OkJsonAsync();

        var scheduler = host.Services.GetRequiredService<DeadlineScheduler>();
        host.Time.Advance(TimeSpan.FromDays(4));
        Assert.Equal(0, await scheduler.ScanAsync(CancellationToken.None));

        host.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await scheduler.ScanAsync(CancellationToken.None));
        var breaches = await (await office.GetAsync($"/api/fire/v1/cases/{id}/breaches")).OkJsonAsync();
        var breach = Assert.Single(breaches.EnumerateArray());
        Assert.Equal("handle", breach.GetProperty("step").GetString());
        Assert.Equal("东街12号副食店", breach.GetProperty("responsible").GetString());
        Assert.Equal(deadline, breach.GetProperty("deadline").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        var view = await (await office.GetAsync($"/api/fire/v1/hazards/{id}")).OkJsonAsync();
        Assert.True(view.GetProperty("case").GetProperty("breached").GetBoolean());
        Assert.Equal("escalated", State(view));
        Assert.Equal(FireHost.Village, view.GetProperty("case").GetProperty("holderGridId").GetString()); // one level up from the small grid
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'CaseDeadlineBreached'"));
    }

    [Fact]
    public async Task A_major_hazard_goes_to_the_county_at_once_under_listed_supervision()
    {
        await using var host = await FireHost.StartAsync();
        var supervisor = host.As("sup-1", FireRoles.FireSupervisor, FireHost.Village);
        var major = await (await supervisor.PostJsonAsync("/api/fire/v1/hazards", new
        {
            gridId = FireHost.Village,
            area = "fuel",
            title = "三合一场所内存放大量汽油",
            major = true,
        })).OkJsonAsync();
        var id = major.GetProperty("case").GetProperty("id").GetGuid();
        Assert.Equal("escalated", State(major));
        Assert.Equal(FireHost.County, major.GetProperty("case").GetProperty("holderGridId").GetString());
        var supervision = major.GetProperty("listedSupervision");
        Assert.Equal("open", supervision.GetProperty("status").GetString());
        Assert.Contains("县公安局", supervision.GetProperty("reportedTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(host.Time.GetUtcNow().AddDays(60), supervision.GetProperty("deadline").GetDateTimeOffset());

        var brigade = host.As("brigade-1", FireRoles.FireBrigade);
        var list = await (await brigade.GetAsync("/api/fire/v1/listed-supervisions?status=open")).OkJsonAsync();
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("supervision").GetProperty("caseId").GetGuid());
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'CaseEscalated' AND payload LIKE '%\"reason\":\"major\"%'"));

        // The rectification deadline may not outrun the supervision's; within it, the order goes out.
        var tooLate = await brigade.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new
        {
            deadline = host.Time.GetUtcNow().AddDays(90),
            items = new[] { "清除汽油" },
            unitName = "东街三合一场所",
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooLate.StatusCode);
        Assert.Contains("\"deadline\"", await tooLate.Content.ReadAsStringAsync());
        await (await brigade.PostJsonAsync($"/api/fire/v1/hazards/{id}/rectification", new
        {
            deadline = host.Time.GetUtcNow().AddDays(30),
            items = new[] { "清除汽油" },
            unitName = "东街三合一场所",
        })).OkJsonAsync();
        var police = host.As("police-1", FireRoles.PoliceStation);
        await (await police.PostJsonAsync($"/api/fire/v1/cases/{id}/start", new { })).OkJsonAsync();
        await (await police.PostJsonAsync($"/api/fire/v1/cases/{id}/handle", new { result = "汽油已清运" })).OkJsonAsync();
        var closed = await (await brigade.PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = true })).OkJsonAsync();
        Assert.Equal("lifted", closed.GetProperty("listedSupervision").GetProperty("status").GetString());
        Assert.True(closed.GetProperty("listedSupervision").GetProperty("liftedOnTime").GetBoolean());
    }
}
