using System.Text.Json;
using Grid.Casework.Application;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.CadreSupervision.Tests;

/// <summary>
/// 问责 from late work: a case closed after its deadline, a case reopened more than the configured number of times and a
/// summons answered late — real Casework events through the outbox and the broker — become records for whom they name,
/// counted with the breaches, and propose measures at the configured thresholds.
/// </summary>
public sealed class LateWorkAccountabilityTests
{
    private const string Handler = "worker:w-7 李明";

    [Fact]
    public async Task A_late_closure_a_case_reopened_too_often_and_a_late_summons_are_records_counted_per_person_and_unit()
    {
        await using var host = await CadreHost.StartAsync(h => h.WithSetting("Cadre:Accountability:Thresholds:admonishment", "2"));
        var id = await host.CadreAsync("钱建国", GridTree.VillageA1);
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);
        var report = await (await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = id, circle = "public-welfare", summary = "公益活动敷衍", resident = new { name = "某居民" } })).OkJsonAsync();
        var caseId = report.GetProperty("caseId").GetGuid();
        var number = report.GetProperty("number").GetString();
        var cases = host.Discipline();
        async Task Step(string path, object body) => (await cases.PostJsonAsync($"/api/cadre/v1/cases/{caseId}/{path}", body)).EnsureSuccessStatusCode();

        // The acceptance is missed (a breach), so the case can no longer close on time.
        host.Time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(1, await host.Service<DeadlineScheduler>().ScanAsync(CancellationToken.None));
        await Step("accept", new { });
        await Step("dispatch", new { assignee = Handler });

        // A summons answered an hour late is a record for the department.
        var summons = await (await cases.PostJsonAsync($"/api/cadre/v1/cases/{caseId}/summon", new { departmentId = "DEPT-ENV", reason = "核实宴请企业" })).OkJsonAsync();
        host.Time.Advance(TimeSpan.FromHours(3));
        var liaison = host.As("liaison-env", "liaison", GridTree.County);
        (await liaison.PostJsonAsync($"/api/cadre/v1/cases/{caseId}/report-for-duty", new { summonsId = summons.GetProperty("id").GetGuid() })).EnsureSuccessStatusCode();

        // A second summons missed (the scheduler's breach) and then answered late is one lapse, not two.
        var missed = await (await cases.PostJsonAsync($"/api/cadre/v1/cases/{caseId}/summon", new { departmentId = "DEPT-ENV", reason = "再次核实" })).OkJsonAsync();
        host.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(1, await host.Service<DeadlineScheduler>().ScanAsync(CancellationToken.None));
        await Wait.UntilAsync(async () => await host.CountAsync("casework.inbox", "consumer = 'DeadlineBreachedConsumer'") == 2, TimeSpan.FromSeconds(30), "the missed summons recorded");
        (await liaison.PostJsonAsync($"/api/cadre/v1/cases/{caseId}/report-for-duty", new { summonsId = missed.GetProperty("id").GetGuid() })).EnsureSuccessStatusCode();

        // Reopened three times (more than the default two): one record for the handler, at the third.
        for (var i = 1; i <= 3; i++)
        {
            await Step("start", new { });
            await Step("handle", new { result = $"第{i}次核实" });
            await Step("verify", new { passed = false, reason = "核实不充分" });
        }

        await Step("start", new { });
        await Step("handle", new { result = "已核实并谈话提醒" });
        await Step("verify", new { passed = true });
        await Step("close", new { });

        await Wait.UntilAsync(async () => await host.CountAsync("casework.inbox", "consumer = 'SummonsAnsweredLateConsumer'") == 2, TimeSpan.FromSeconds(30), "both late reports handled");
        await Wait.UntilAsync(async () => await host.CountAsync("casework.inbox", "consumer = 'CaseClosedLateConsumer'") == 1, TimeSpan.FromSeconds(30), "the late closure handled");
        Assert.Equal(1, await host.CountAsync("casework.inbox", "consumer = 'CaseReopenedConsumer'")); // the first two reopens are under the limit

        var discipline = host.Discipline();
        var ledger = await (await discipline.GetAsync("/api/cadre/v1/accountability?period=2026-11")).OkJsonAsync();
        var records = ledger.GetProperty("records").EnumerateArray().ToList();
        Assert.All(records, r => Assert.Equal(number, r.GetProperty("caseNumber").GetString()));
        var closed = Assert.Single(records, r => r.GetProperty("kind").GetString() == "closed-late");
        Assert.Equal(Handler, closed.GetProperty("responsible").GetString());
        Assert.Equal("close", closed.GetProperty("step").GetString());
        var reopened = Assert.Single(records, r => r.GetProperty("kind").GetString() == "reopened");
        Assert.Equal(Handler, reopened.GetProperty("responsible").GetString());
        Assert.Equal(3, reopened.GetProperty("reopenCount").GetInt32());
        var late = Assert.Single(records, r => r.GetProperty("kind").GetString() == "summons-late");
        Assert.Equal("department:environment-bureau", late.GetProperty("responsible").GetString());
        Assert.Single(records, r => r.GetProperty("kind").GetString() == "breach" && r.GetProperty("step").GetString() == "report-for-duty");

        // Counted per person and unit over the month, every kind together and each apart.
        var counts = ledger.GetProperty("counts").EnumerateArray().ToDictionary(c => c.GetProperty("responsible").GetString()!);
        Assert.Equal(2, counts[Handler].GetProperty("breaches").GetInt32());
        Assert.Equal(1, counts[Handler].GetProperty("kinds").GetProperty("reopened").GetInt32());
        Assert.Equal(2, counts["department:environment-bureau"].GetProperty("breaches").GetInt32());
        var onlyLate = await (await discipline.GetAsync("/api/cadre/v1/accountability?kind=summons-late")).OkJsonAsync();
        Assert.Single(onlyLate.GetProperty("records").EnumerateArray());
        Assert.Contains("kind", await (await discipline.GetAsync("/api/cadre/v1/accountability?kind=late")).FieldErrorsAsync());

        // The handler's two records reach the configured admonishment threshold as well as criticism; proposals only.
        var proposals = await (await discipline.GetAsync("/api/cadre/v1/accountability/proposals?state=proposed")).OkJsonAsync();
        var handlers = proposals.EnumerateArray().Where(p => p.GetProperty("responsible").GetString() == Handler).Select(p => p.GetProperty("measure").GetString()).Order().ToList();
        Assert.Equal(new[] { "admonishment", "criticism" }, handlers);
        Assert.Equal(0, await host.CountAsync("cadre.measure_proposals", "\"State\" <> 'proposed'"));

        // The same closure delivered again records nothing (inbox); a distinct one is counted.
        var payload = await Wait.ScalarAsync<string>(host.ConnectionString, "SELECT payload FROM casework.outbox WHERE event_type = 'CaseClosed'");
        var closure = JsonSerializer.Deserialize<CaseClosed>(payload, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.False(closure.OnTime);
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.Publish(closure);
        await bus.Publish(closure with { EventId = Guid.NewGuid() });
        await Wait.UntilAsync(async () => await host.CountAsync("casework.inbox", "consumer = 'CaseClosedLateConsumer'") == 2, TimeSpan.FromSeconds(30), "the distinct closure handled");
        Assert.Equal(2, await host.CountAsync("cadre.accountability_records", "\"Kind\" = 'closed-late'"));
    }
}
