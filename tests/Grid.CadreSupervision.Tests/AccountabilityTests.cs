using System.Text.Json;
using Grid.Casework.Application;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.CadreSupervision.Tests;

/// <summary>问责: a real missed deadline, published by Casework's scheduler through the outbox and the broker, becomes an accountability record.</summary>
public sealed class AccountabilityTests
{
    [Fact]
    public async Task A_breach_arrives_as_a_record_for_the_person_it_names_is_counted_and_its_proposal_is_decided_by_the_discipline_role()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("高德胜", GridTree.VillageA1);
        var supervisor = host.As("sup-a1", "supervisor", GridTree.VillageA1);
        var report = await (await supervisor.PostJsonAsync("/api/cadre/v1/reports", new { cadreId = id, circle = "social", summary = "参与赌博", resident = new { name = "某居民" } })).OkJsonAsync();
        var number = report.GetProperty("number").GetString();

        // Nobody accepts the report within a day: the scheduler records whose deadline it was and publishes the breach.
        host.Time.Advance(TimeSpan.FromHours(25));
        Assert.True(await host.Service<DeadlineScheduler>().ScanAsync(CancellationToken.None) >= 1);

        var discipline = host.Discipline();
        await Wait.UntilAsync(async () => await host.CountAsync("cadre.accountability_records") > 0, TimeSpan.FromSeconds(30), "the breach recorded");
        var records = await (await discipline.GetAsync("/api/cadre/v1/accountability")).OkJsonAsync();
        var record = records.GetProperty("records")[0];
        Assert.Equal(number, record.GetProperty("caseNumber").GetString());
        Assert.Equal("accept", record.GetProperty("step").GetString());
        Assert.Contains("chief-village-a1", record.GetProperty("responsible").GetString());
        Assert.Equal("2026-11", record.GetProperty("period").GetString());
        Assert.Equal(1, records.GetProperty("counts")[0].GetProperty("breaches").GetInt32());

        var proposals = await (await discipline.GetAsync("/api/cadre/v1/accountability/proposals?state=proposed")).OkJsonAsync();
        var proposal = Assert.Single(proposals.EnumerateArray());
        Assert.Equal("criticism", proposal.GetProperty("measure").GetString());
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'AccountabilityMeasureProposed'"));
        var pid = proposal.GetProperty("id").GetGuid();

        // Refused: a supervisor, a township commission (not the county), a dismissal without a reason.
        await (await supervisor.GetAsync("/api/cadre/v1/accountability")).ProblemAsync(403);
        await (await host.Discipline(GridTree.TownA).PostJsonAsync($"/api/cadre/v1/accountability/proposals/{pid}/confirm", new { })).ProblemAsync(403);
        var noReason = await discipline.PostJsonAsync($"/api/cadre/v1/accountability/proposals/{pid}/dismiss", new { reason = " " });
        Assert.True((await noReason.ProblemAsync(400)).GetProperty("errors").TryGetProperty("reason", out _));

        var confirmed = await (await discipline.PostJsonAsync($"/api/cadre/v1/accountability/proposals/{pid}/confirm", new { reason = "超期未受理" })).OkJsonAsync();
        Assert.Equal("confirmed", confirmed.GetProperty("state").GetString());
        await (await discipline.PostJsonAsync($"/api/cadre/v1/accountability/proposals/{pid}/dismiss", new { reason = "改变主意" })).ProblemAsync(409);

        // The same event delivered again records nothing (inbox); another breach of the same person is counted.
        var payload = await Wait.ScalarAsync<string>(host.ConnectionString, "SELECT payload FROM casework.outbox WHERE event_type = 'CaseDeadlineBreached'");
        var breach = JsonSerializer.Deserialize<CaseDeadlineBreached>(payload, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var bus = host.Services.GetRequiredService<IBus>();
        await bus.Publish(breach);
        await bus.Publish(breach with { EventId = Guid.NewGuid() });
        await Wait.UntilAsync(async () => await host.CountAsync("casework.inbox", "consumer = 'DeadlineBreachedConsumer'") == 2, TimeSpan.FromSeconds(30), "the second breach handled");
        Assert.Equal(2, await host.CountAsync("cadre.accountability_records"));
        var counted = await (await discipline.GetAsync($"/api/cadre/v1/accountability?period=2026-11")).OkJsonAsync();
        Assert.Equal(2, counted.GetProperty("counts")[0].GetProperty("breaches").GetInt32());

        // The records page: one a page, the cursor leads to the other, and the last page has none.
        var first = await (await discipline.GetAsync("/api/cadre/v1/accountability?period=2026-11&limit=1")).OkJsonAsync();
        var next = first.GetProperty("nextCursor").GetString();
        Assert.NotNull(next);
        var second = await (await discipline.GetAsync($"/api/cadre/v1/accountability?period=2026-11&limit=1&cursor={Uri.EscapeDataString(next)}")).OkJsonAsync();
        Assert.NotEqual(first.GetProperty("records")[0].GetProperty("id").GetString(), second.GetProperty("records")[0].GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
    }
}
