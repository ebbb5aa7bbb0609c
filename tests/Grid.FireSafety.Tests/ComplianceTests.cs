using System.Text.Json;
using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Tests;

public class ComplianceTests
{
    private static DateTimeOffset Cst(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8));

    /// <summary>
    /// Window 2026-11-02 (Mon) .. 2026-11-15 (Sun) = two whole ISO weeks, 14 days, no whole month; the clock
    /// says 2026-11-20, so every period has ended. Scope: village 东街社区 (511921101201) and its two small grids.
    ///
    /// sup-1, fire supervisor (rule: 2 patrols/week, ≥ ceil(2 × 0.5) = 1 between 20:00 and 01:00 CST):
    ///   week 1: Mon 11-02 00:30 CST (Sunday 16:30 UTC — night, and in week 1 by China time) + Thu 10:00 → 2 done, 1 night: met
    ///   week 2: Mon 11-09 01:30 (just after the window) + Sat 14:00 → 2 done, 0 night: overdue
    ///   required 4, done 4, credited 4, night required 2, night done 1, 1 overdue period.
    /// gw-1, small-grid worker of 51192110120101 (2 inspections + 1 publicity a week):
    ///   inspections: week 1 three, week 2 one → required 4, done 4, credited min(3,2)+min(1,2) = 3, week 2 overdue
    ///   publicity:   week 1 one,   week 2 none → required 2, done 1, credited 1, week 2 overdue
    /// small grids (1 patrol a day, 14 days each): pt-1 patrols 51192110120101 on 11-02..11-08 (7 days) →
    ///   grid 0101 required 14 credited 7 (7 overdue days); grid 0102 required 14 credited 0 (14 overdue days).
    /// Monthly hazard check: no whole month in the window → nothing required.
    /// Totals: required 4 + 4 + 2 + 14 + 14 = 38; credited 4 + 3 + 1 + 7 + 0 = 15; rate 15 / 38 = 0.3947;
    /// overdue periods 1 + 1 + 1 + 7 + 14 = 24.
    /// </summary>
    [Fact]
    public async Task Compliance_matches_the_hand_computed_fixture_including_the_night_rule()
    {
        await using var host = await FireHost.StartAsync();
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        await (await office.PostJsonAsync("/api/fire/v1/duties", new { staffId = "sup-1", name = "赵监督", role = FireRoles.FireSupervisor, gridId = FireHost.Village, from = "2026-11-01" })).OkJsonAsync();
        await (await office.PostJsonAsync("/api/fire/v1/duties", new { staffId = "gw-1", name = "钱网格", role = FireRoles.GridWorker, gridId = FireHost.Small1, from = "2026-11-01" })).OkJsonAsync();

        var sup = host.As("sup-1", FireRoles.FireSupervisor, FireHost.Village);
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        var pt = host.As("pt-1", FireRoles.Patrol, FireHost.Small1);
        async Task Record(HttpClient c, string activity, string grid, DateTimeOffset at) =>
            await (await c.PostJsonAsync("/api/fire/v1/inspections", new
            {
                activity,
                gridId = grid,
                startedAt = at,
                checklist = new[] { new { area = "electricity", item = "私拉乱接电线", ok = true, note = (string?)null } },
            })).OkJsonAsync();

        await Record(sup, "Patrol", FireHost.Village, Cst(11, 2, 0, 30));
        await Record(sup, "Patrol", FireHost.Village, Cst(11, 5, 10));
        await Record(sup, "Patrol", FireHost.Village, Cst(11, 9, 1, 30));
        await Record(sup, "Patrol", FireHost.Village, Cst(11, 14, 14));
        await Record(sup, "Patrol", FireHost.Village, Cst(11, 16, 21)); // outside the window
        foreach (var d in new[] { 3, 4, 6 })
        {
            await Record(gw, "Inspection", FireHost.Small1, Cst(11, d, 9));
        }

        await Record(gw, "Inspection", FireHost.Small1, Cst(11, 12, 9));
        await Record(gw, "Publicity", FireHost.Small1, Cst(11, 7, 15));
        for (var d = 2; d <= 8; d++)
        {
            await Record(pt, "Patrol", FireHost.Small1, Cst(11, d, 9));
        }

        var c = await (await office.GetAsync($"/api/fire/v1/compliance?gridId={FireHost.Village}&from=2026-11-02&to=2026-11-15")).OkJsonAsync();

        JsonElement Row(string section, string rule, string target) =>
            c.GetProperty(section).EnumerateArray().Single(r => r.GetProperty("rule").GetString() == rule && r.GetProperty("targetId").GetString() == target);

        var s = Row("people", "supervisor-night-patrol", "sup-1");
        Assert.Equal((4, 4, 4, 2, 1, 1), (s.GetProperty("required").GetInt32(), s.GetProperty("done").GetInt32(), s.GetProperty("credited").GetInt32(),
            s.GetProperty("nightRequired").GetInt32(), s.GetProperty("nightDone").GetInt32(), s.GetProperty("overduePeriods").GetInt32()));
        var i = Row("people", "small-grid-worker-inspection", "gw-1");
        Assert.Equal((4, 4, 3), (i.GetProperty("required").GetInt32(), i.GetProperty("done").GetInt32(), i.GetProperty("credited").GetInt32()));
        var p = Row("people", "small-grid-worker-publicity", "gw-1");
        Assert.Equal((2, 1, 1), (p.GetProperty("required").GetInt32(), p.GetProperty("done").GetInt32(), p.GetProperty("credited").GetInt32()));
        var g1 = Row("grids", "small-grid-daily-patrol", FireHost.Small1);
        Assert.Equal((14, 7), (g1.GetProperty("required").GetInt32(), g1.GetProperty("credited").GetInt32()));
        var g2 = Row("grids", "small-grid-daily-patrol", FireHost.Small2);
        Assert.Equal((14, 0), (g2.GetProperty("required").GetInt32(), g2.GetProperty("credited").GetInt32()));
        Assert.Equal(0, Row("grids", "small-grid-monthly-hazard-check", FireHost.Small1).GetProperty("required").GetInt32());

        Assert.Equal(38, c.GetProperty("totals").GetProperty("required").GetInt32());
        Assert.Equal(15, c.GetProperty("totals").GetProperty("credited").GetInt32());
        Assert.Equal(0.3947, c.GetProperty("totals").GetProperty("rate").GetDouble());
        Assert.Equal(24, c.GetProperty("overdue").GetArrayLength());
        var supOverdue = c.GetProperty("overdue").EnumerateArray().Single(o => o.GetProperty("targetId").GetString() == "sup-1");
        Assert.Equal("2026-11-09", supOverdue.GetProperty("periodStart").GetString());
        Assert.Equal(0, supOverdue.GetProperty("nightDone").GetInt32());
    }

    [Fact]
    public void Night_window_wraps_past_midnight()
    {
        var rule = InspectionRule.Defaults.Single(r => r.Key == "supervisor-night-patrol");
        Assert.True(rule.IsNight(new TimeOnly(20, 0)));
        Assert.True(rule.IsNight(new TimeOnly(0, 59)));
        Assert.False(rule.IsNight(new TimeOnly(1, 0)));
        Assert.False(rule.IsNight(new TimeOnly(19, 59)));
        Assert.Equal(1, rule.NightRequired);
    }
}
