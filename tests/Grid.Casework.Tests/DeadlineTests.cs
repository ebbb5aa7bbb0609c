using System.Net.Http.Json;
using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Grid.Casework.Tests;

/// <summary>超期 and 重大: the scheduler on a fake clock escalates overdue steps; major cases jump to the top.</summary>
[Collection(CaseworkCollection.Name)]
public class DeadlineTests(CaseworkFixture fx)
{
    // Tokens outlive the fake clock's jumps.
    private static string Chief(string grid = "*") => TestTokens.Create($"chief-{grid}", ["grid-chief"], ["*"], [grid], TimeSpan.FromDays(30));

    [Fact]
    public async Task An_overdue_step_is_breached_recorded_and_escalated_one_level_per_interval()
    {
        var time = new FakeTimeProvider(AuditChain.Truncate(DateTimeOffset.UtcNow));
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_deadline");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_dl"), mq, fx.Grids.Address, time,
            o => o.SchedulerInterval = TimeSpan.FromMinutes(10));
        var scheduler = host.Services.GetRequiredService<DeadlineScheduler>();
        var chief = host.Client(Chief());
        var c = await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "灭火器过期", gridId = GridTree.CompoundA1X });
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(24), c.StepDeadline);

        // Nothing is due yet: a scan changes nothing.
        await AdvanceAndScanAsync(time, scheduler, TimeSpan.FromHours(23));
        Assert.Equal(GridTree.CompoundA1X, (await host.GetAsync(chief, c.Id)).HolderGridId);

        // The accept deadline passes: breach recorded against the compound's chief, case goes one level up.
        await AdvanceAndScanAsync(time, scheduler, TimeSpan.FromHours(2));
        var after = await host.GetAsync(chief, c.Id);
        Assert.Equal("escalated", after.State);
        Assert.Equal(GridTree.VillageA1, after.HolderGridId);
        Assert.True(after.Breached);
        var breaches = await chief.GetFromJsonAsync<List<BreachRecord>>($"/api/fire/v1/cases/{c.Id}/breaches", CaseworkHost.Json);
        var breach = Assert.Single(breaches!);
        Assert.Equal("accept", breach.Step);
        Assert.Equal(c.StepDeadline, breach.Deadline);
        Assert.Contains("chief-compound-a1x", breach.Responsible);
        Assert.Equal(GridTree.CompoundA1X, breach.ResponsibleGridId);

        // The village does not take it up either: next level.
        await AdvanceAndScanAsync(time, scheduler, TimeSpan.FromHours(25));
        Assert.Equal(GridTree.TownA, (await host.GetAsync(chief, c.Id)).HolderGridId);

        var events = await OutboxTypesAsync(host.Database, c.Id);
        Assert.Equal(["CaseReported", "CaseDeadlineBreached", "CaseEscalated", "CaseDeadlineBreached", "CaseEscalated"], events);
        var reasons = await Wait.ScalarAsync<string>(host.Database,
            "SELECT string_agg(payload::json->>'reason', ',' ORDER BY seq) FROM casework.outbox WHERE case_id = $1 AND event_type = 'CaseEscalated'", c.Id);
        Assert.Equal("overdue,overdue", reasons);

        // Accepted at the town, then closed: not on time.
        var town = host.Client(Chief(GridTree.TownA));
        await host.StepAsync(town, c.Id, "accept");
        await host.StepAsync(town, c.Id, "dispatch", new { assignee = "w" });
        await host.StepAsync(town, c.Id, "start");
        await host.StepAsync(town, c.Id, "handle", new { result = "换新" });
        await host.StepAsync(town, c.Id, "verify", new { passed = true });
        await host.StepAsync(town, c.Id, "close");
        Assert.False(await Wait.ScalarAsync<bool>(host.Database,
            "SELECT (payload::json->>'onTime')::boolean FROM casework.outbox WHERE case_id = $1 AND event_type = 'CaseClosed'", c.Id));
    }

    [Fact]
    public async Task A_major_case_goes_to_the_top_of_its_chain_at_once()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_major");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_mj"), mq, fx.Grids.Address);
        var worker = host.Client(CaseworkHost.Worker());
        var c = await host.ReportAsync(worker, new { category = "hazard", severity = "major", title = "重大火灾隐患", gridId = GridTree.CompoundA1X });
        Assert.Equal("escalated", c.State);
        Assert.Equal(GridTree.County, c.HolderGridId);
        Assert.Equal(GridTree.CompoundA1X, c.GridId);
        Assert.Equal(["CaseReported", "CaseEscalated"], await OutboxTypesAsync(host.Database, c.Id));
        Assert.Equal("major", await Wait.ScalarAsync<string>(host.Database,
            "SELECT payload::json->>'reason' FROM casework.outbox WHERE case_id = $1 AND event_type = 'CaseEscalated'", c.Id));
        Assert.Equal(GridTree.County, await Wait.ScalarAsync<string>(host.Database,
            "SELECT payload::json->>'toGridId' FROM casework.outbox WHERE case_id = $1 AND event_type = 'CaseEscalated'", c.Id));

        // The county accepts it; "cannot handle" at the top is refused.
        var county = host.Client(CaseworkHost.Chief(GridTree.County));
        await host.StepAsync(county, c.Id, "accept");
        var (status, body) = await host.PostAsync(county, c.Id, "escalate");
        Assert.Equal(409, status);
        Assert.Contains("top", body);
    }

    [Fact]
    public async Task Cannot_handle_moves_the_case_to_the_parent_grid()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_cannot");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_ch"), mq, fx.Grids.Address);
        var chief = host.Client(CaseworkHost.Chief(GridTree.VillageA1));
        var c = await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "违章搭建", gridId = GridTree.VillageA1 });
        await host.StepAsync(chief, c.Id, "accept");
        await host.StepAsync(chief, c.Id, "dispatch", new { assignee = "worker-village-a1" });
        var worker = host.Client(CaseworkHost.Worker(GridTree.VillageA1));
        await host.StepAsync(worker, c.Id, "start");
        var up = await host.StepAsync(worker, c.Id, "escalate", new { reason = "需要执法力量" });
        Assert.Equal("escalated", up.State);
        Assert.Equal(GridTree.TownA, up.HolderGridId);
        Assert.Equal("cannot-handle", await Wait.ScalarAsync<string>(host.Database,
            "SELECT payload::json->>'reason' FROM casework.outbox WHERE case_id = $1 AND event_type = 'CaseEscalated'", c.Id));
    }

    [Fact]
    public async Task A_summoned_department_that_misses_its_report_by_is_a_breach_and_a_late_arrival_is_flagged()
    {
        var time = new FakeTimeProvider(AuditChain.Truncate(DateTimeOffset.UtcNow));
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_summon");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_sm"), mq, fx.Grids.Address, time,
            o => o.SchedulerInterval = TimeSpan.FromMinutes(5));
        var scheduler = host.Services.GetRequiredService<DeadlineScheduler>();
        var chief = host.Client(Chief());
        var c = await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "群租房", gridId = GridTree.VillageA1 });
        await host.StepAsync(chief, c.Id, "accept");
        using var summoned = await chief.PostAsJsonAsync($"/api/fire/v1/cases/{c.Id}/summon",
            new { departmentId = "police-station-3", reportBy = time.GetUtcNow().AddHours(1), reason = "联合执法" });
        Assert.Equal(System.Net.HttpStatusCode.Created, summoned.StatusCode);
        var summons = (await summoned.Content.ReadFromJsonAsync<SummonsView>(CaseworkHost.Json))!;

        await AdvanceAndScanAsync(time, scheduler, TimeSpan.FromMinutes(90));
        var breaches = await chief.GetFromJsonAsync<List<BreachRecord>>($"/api/fire/v1/cases/{c.Id}/breaches", CaseworkHost.Json);
        var b = Assert.Single(breaches!);
        Assert.Equal("report-for-duty", b.Step);
        Assert.Equal("department:police-station-3", b.Responsible);

        var liaison = host.Client(TestTokens.Create("liaison-1", ["liaison"], ["*"], ["*"], TimeSpan.FromDays(30)));
        using var arrived = await liaison.PostAsJsonAsync($"/api/fire/v1/cases/{c.Id}/report-for-duty", new { summonsId = summons.Id });
        var view = (await arrived.Content.ReadFromJsonAsync<SummonsView>(CaseworkHost.Json))!;
        Assert.True(view.Late);
        using var twice = await liaison.PostAsJsonAsync($"/api/fire/v1/cases/{c.Id}/report-for-duty", new { summonsId = summons.Id });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(["CaseReported", "CaseAccepted", "DepartmentSummoned", "CaseDeadlineBreached", "DepartmentReported"], await OutboxTypesAsync(host.Database, c.Id));
    }

    [Fact]
    public async Task A_summons_of_a_department_the_organization_does_not_know_is_refused_and_nothing_is_written()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_summon_unknown");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_smu"), mq, fx.Grids.Address);
        var chief = host.Client(Chief());
        var c = await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = "违规动火", gridId = GridTree.VillageA1 });
        await host.StepAsync(chief, c.Id, "accept");

        using var unknown = await chief.PostAsJsonAsync($"/api/fire/v1/cases/{c.Id}/summon", new { departmentId = "no-such-department", reason = "联合执法" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Contains("no-such-department", problem.GetProperty("errors").GetProperty("departmentId")[0].GetString());
        Assert.Equal(0L, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework.summons"));
        Assert.Equal(["CaseReported", "CaseAccepted"], await OutboxTypesAsync(host.Database, c.Id));

        // By its code, a known department is summoned and recorded under its id.
        using var known = await chief.PostAsJsonAsync($"/api/fire/v1/cases/{c.Id}/summon", new { departmentId = "DEPT-ENV", reason = "联合执法" });
        Assert.Equal(System.Net.HttpStatusCode.Created, known.StatusCode);
        Assert.Equal("environment-bureau", (await known.Content.ReadFromJsonAsync<SummonsView>(CaseworkHost.Json))!.DepartmentId);
        Assert.Equal(1L, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework.summons WHERE department_id = 'environment-bureau'"));
    }

    private static async Task AdvanceAndScanAsync(FakeTimeProvider time, DeadlineScheduler scheduler, TimeSpan by)
    {
        var before = scheduler.Scans;
        time.Advance(by);
        await Wait.UntilAsync(() => Task.FromResult(scheduler.Scans > before), TimeSpan.FromSeconds(20), "a scheduler scan after the clock moved");
    }

    internal static async Task<List<string>> OutboxTypesAsync(string db, Guid caseId)
    {
        var all = await Wait.ScalarAsync<string>(db, "SELECT coalesce(string_agg(event_type, ',' ORDER BY seq), '') FROM casework.outbox WHERE case_id = $1", caseId);
        return all.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
