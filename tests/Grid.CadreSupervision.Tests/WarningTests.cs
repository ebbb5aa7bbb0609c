using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>预警书 1 / 3 / 5: each warning's consequence for the unit, as a task and an event that leaves through the outbox.</summary>
public sealed class WarningTests
{
    [Fact]
    public async Task Warnings_one_three_and_five_put_education_an_explanation_and_a_circular_on_the_unit()
    {
        await using var host = await CadreHost.StartAsync();
        var id = await host.CadreAsync("林文明", GridTree.VillageA2, "DEPT-MARKET");
        var discipline = host.Discipline();
        var kinds = new List<string[]>();
        for (var n = 1; n <= 5; n++)
        {
            var issued = await (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = $"第{n}次: 作风问题" })).OkJsonAsync();
            Assert.Equal(n, issued.GetProperty("warning").GetProperty("countInWindow").GetInt32());
            kinds.Add([.. issued.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("kind").GetString()!).Order()]);
            if (n == 3)
            {
                // 2026-11-19 in China, 15 days to explain in writing.
                Assert.Equal("2026-12-04", issued.GetProperty("tasks")[0].GetProperty("dueBy").GetString());
            }
        }

        Assert.Equal(
            [["warning-education"], ["warning-education"], ["written-explanation"], ["written-explanation"], ["circular", "written-explanation"]],
            kinds);

        // The unit's own view, and the events: five warnings, six tasks, all published to the broker.
        var tasks = await (await discipline.GetAsync("/api/cadre/v1/units/market-regulator/tasks")).OkJsonAsync();
        Assert.Equal(6, tasks.GetArrayLength());
        Assert.Equal(5, await host.CountAsync("casework.outbox", "event_type = 'CadreWarningIssued'"));
        Assert.Equal(6, await host.CountAsync("casework.outbox", "event_type = 'CadreUnitTaskAssigned'"));
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'CadreUnitTaskAssigned' AND payload LIKE '%\"circular\"%'"));
        await Wait.UntilAsync(async () => await host.CountAsync("casework.outbox", "event_type LIKE 'Cadre%' AND sent_at IS NULL") == 0,
            TimeSpan.FromSeconds(30), "the warning events published");
    }

    [Fact]
    public async Task Warnings_older_than_the_window_no_longer_count()
    {
        await using var host = await CadreHost.StartAsync(h => h.WithSetting("Cadre:Warnings:Window", "30.00:00:00"));
        var id = await host.CadreAsync("郭桂兰", GridTree.VillageA1);
        var discipline = host.Discipline();
        for (var n = 0; n < 2; n++)
        {
            (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "迟到早退" })).EnsureSuccessStatusCode();
        }

        host.Time.Advance(TimeSpan.FromDays(31));
        var third = await (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "迟到早退" })).OkJsonAsync();
        Assert.Equal(1, third.GetProperty("warning").GetProperty("countInWindow").GetInt32());
        Assert.Equal("warning-education", third.GetProperty("tasks")[0].GetProperty("kind").GetString());

        var blank = await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{id}/warnings", new { reason = "" });
        Assert.True((await blank.ProblemAsync(400)).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(3, await host.CountAsync("cadre.warnings"));
    }
}
