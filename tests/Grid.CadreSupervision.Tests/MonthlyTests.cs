using Grid.CadreSupervision.Infrastructure;
using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>月报 before the 5th, its missed month a breach; 监督小组 limits.</summary>
public sealed class MonthlyTests
{
    private static Task<CadreHost> TownsFileAsync() => CadreHost.StartAsync(h =>
    {
        h.WithSetting("Cadre:Monthly:GridDepth", "2");
        h.WithSetting("Cadre:Groups:GridDepth", "2");
    });

    [Fact]
    public async Task A_month_not_filed_before_the_fifth_is_a_breach_counted_against_the_township_once()
    {
        await using var host = await TownsFileAsync();
        var discipline = host.Discipline();
        var deadlines = host.Service<MonthlyDeadlines>();
        foreach (var town in new[] { GridTree.TownA, GridTree.TownB })
        {
            var october = await (await discipline.PostJsonAsync("/api/cadre/v1/monthly-reports", new { gridId = town, month = "2026-10", summary = "本月未收到异常反映" })).OkJsonAsync();
            Assert.True(october.GetProperty("late").GetBoolean()); // 19 November: October's was due on the 5th
        }

        Assert.Equal(0, await deadlines.ScanAsync(CancellationToken.None));

        // 3 December: town-a files November on time; town-b does not.
        host.Time.Advance(TimeSpan.FromDays(14));
        var november = await (await discipline.PostJsonAsync("/api/cadre/v1/monthly-reports", new { gridId = GridTree.TownA, month = "2026-11", summary = "收集反映2件" })).OkJsonAsync();
        Assert.False(november.GetProperty("late").GetBoolean());

        // 4 December 23:59 in China: not yet late.
        host.Time.SetUtcNow(new DateTimeOffset(2026, 12, 4, 15, 59, 0, TimeSpan.Zero));
        Assert.Equal(0, await deadlines.ScanAsync(CancellationToken.None));
        Assert.Equal(0, await host.CountAsync("cadre.monthly_breaches"));

        // 5 December 00:00 in China: town-b's November is missed, once.
        host.Time.SetUtcNow(new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, await deadlines.ScanAsync(CancellationToken.None));
        Assert.Equal(0, await deadlines.ScanAsync(CancellationToken.None));
        var listed = await (await discipline.GetAsync("/api/cadre/v1/monthly-reports?month=2026-11")).OkJsonAsync();
        var missed = Assert.Single(listed.GetProperty("missed").EnumerateArray());
        Assert.Equal(GridTree.TownB, missed.GetProperty("gridId").GetString());

        var accountability = await (await discipline.GetAsync("/api/cadre/v1/accountability?period=2026-12")).OkJsonAsync();
        var record = Assert.Single(accountability.GetProperty("records").EnumerateArray());
        Assert.Equal("monthly-report", record.GetProperty("step").GetString());
        Assert.Equal(GridTree.TownB, record.GetProperty("responsibleGridId").GetString());

        // Filing twice, a future month, a village, a township commission elsewhere: refused, nothing written.
        await (await discipline.PostJsonAsync("/api/cadre/v1/monthly-reports", new { gridId = GridTree.TownA, month = "2026-11", summary = "x" })).ProblemAsync(409);
        var bad = await (await discipline.PostJsonAsync("/api/cadre/v1/monthly-reports", new { gridId = GridTree.VillageA1, month = "2027-01", summary = "x" })).ProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("month", out _) && bad.GetProperty("errors").TryGetProperty("gridId", out _));
        await (await host.Discipline(GridTree.TownA).PostJsonAsync("/api/cadre/v1/monthly-reports", new { gridId = GridTree.TownB, month = "2026-11", summary = "x" })).ProblemAsync(403);
        Assert.Equal(3, await host.CountAsync("cadre.monthly_reports"));
    }

    [Fact]
    public async Task The_groups_report_names_grids_without_a_group_or_outside_one_to_five_supervisors()
    {
        await using var host = await TownsFileAsync();
        var discipline = host.Discipline();
        (await discipline.PutAsJsonAsync($"/api/cadre/v1/grids/{GridTree.TownA}/group", new { leader = "网格长甲", deputy = "驻网干部乙", supervisors = new[] { "监督员一", "监督员二" } })).EnsureSuccessStatusCode();

        var report = await (await discipline.GetAsync("/api/cadre/v1/groups/report")).OkJsonAsync();
        Assert.Equal(2, report.GetProperty("checkedGrids").GetInt32());
        var only = Assert.Single(report.GetProperty("problems").EnumerateArray());
        Assert.Equal(GridTree.TownB, only.GetProperty("gridId").GetString());

        var six = Enumerable.Range(1, 6).Select(i => $"监督员{i}").ToArray();
        (await discipline.PutAsJsonAsync($"/api/cadre/v1/grids/{GridTree.TownB}/group", new { leader = "网格长丙", deputy = "驻网干部丁", supervisors = six })).EnsureSuccessStatusCode();
        report = await (await discipline.GetAsync("/api/cadre/v1/groups/report")).OkJsonAsync();
        Assert.Contains("6 supervisors", Assert.Single(report.GetProperty("problems").EnumerateArray()).GetProperty("problem").GetString());

        var bad = await (await discipline.PutAsJsonAsync($"/api/cadre/v1/grids/{GridTree.TownA}/group", new { leader = "", deputy = "x" })).ProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("leader", out _) && bad.GetProperty("errors").TryGetProperty("supervisors", out _));
        await (await host.As("sup", "supervisor", GridTree.TownA).GetAsync("/api/cadre/v1/groups/report")).ProblemAsync(403);
    }
}
