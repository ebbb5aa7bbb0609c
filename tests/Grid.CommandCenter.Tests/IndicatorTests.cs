using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.CommandCenter.Tests;

/// <summary>
/// A fixture month (September 2026) in county C with townships T1 and T2; every expected number below is
/// worked out by hand from the events in <see cref="Fixture"/>.
/// </summary>
public class IndicatorTests
{
    static readonly string[] V1 = ["C", "T1", "V1"];
    static readonly string[] V2 = ["C", "T2", "V2"];

    /// <summary>
    /// T1: A due 09-05, closed on time 09-04 (72 h after report);
    ///     B due 09-06, handled 09-05, reopened, breached 09-06, closed late 09-10 (192 h);
    ///     C due 09-08, breached, still open.
    /// T2: D due 09-10, handled and closed on time 09-09 (192 h);
    ///     E due 10-20 (outside September), open.
    /// </summary>
    internal static List<IntegrationEvent> Fixture()
    {
        var a = new CaseScript(Domains.Fire, V1, "FIRE-A").Reported("2026-09-01T02:00Z").Accepted("2026-09-01T03:00Z", "2026-09-05T02:00Z")
            .Dispatched("2026-09-01T04:00Z", "消防大队", "2026-09-05T02:00Z").Handled("2026-09-03T02:00Z").Verified("2026-09-03T08:00Z")
            .Closed("2026-09-04T02:00Z", onTime: true, reportedAt: "2026-09-01T02:00Z");
        var b = new CaseScript(Domains.Fire, V1, "FIRE-B").Reported("2026-09-02T02:00Z").Accepted("2026-09-02T03:00Z", "2026-09-06T02:00Z")
            .Dispatched("2026-09-02T04:00Z", "消防大队", "2026-09-06T02:00Z").Handled("2026-09-05T02:00Z").Reopened("2026-09-06T01:00Z")
            .Breached("2026-09-06T02:00Z").Handled("2026-09-09T02:00Z").Verified("2026-09-09T08:00Z")
            .Closed("2026-09-10T02:00Z", onTime: false, reportedAt: "2026-09-02T02:00Z");
        var c = new CaseScript(Domains.Environment, V1, "ENV-C", category: "污染", title: "夜间排污").Reported("2026-09-03T14:00Z")
            .Accepted("2026-09-03T15:00Z", "2026-09-08T02:00Z").Dispatched("2026-09-03T16:00Z", "生态环境分局", "2026-09-08T02:00Z")
            .Breached("2026-09-08T02:00Z").Escalated("2026-09-08T03:00Z", EscalationReasons.Overdue, "T1");
        var d = new CaseScript(Domains.Fire, V2, "FIRE-D").Reported("2026-09-01T02:00Z").Accepted("2026-09-01T03:00Z", "2026-09-10T02:00Z")
            .Dispatched("2026-09-01T04:00Z", "派出所", "2026-09-10T02:00Z").Handled("2026-09-09T01:00Z")
            .Closed("2026-09-09T02:00Z", onTime: true, reportedAt: "2026-09-01T02:00Z");
        var e = new CaseScript(Domains.Labor, V2, "LAB-E", category: "欠薪", title: "拖欠工资").Reported("2026-09-20T02:00Z")
            .Accepted("2026-09-20T03:00Z", "2026-10-20T02:00Z").Escalated("2026-09-21T02:00Z", EscalationReasons.Major, "C");
        return [.. a.Events, .. b.Events, .. c.Events, .. d.Events, .. e.Events];
    }

    const string SeptemberByTownship = "/api/command/v1/indicators?groupBy=grid&parent=C&period=month&from=2026-09-01&to=2026-09-30";

    static void AssertHandComputed(JsonElement rows)
    {
        var t1 = rows.EnumerateArray().Single(r => r.GetProperty("key").GetString() == "T1");
        // due: A (09-05) + B (09-06) + C (09-08) = 3; closed: A + B = 2; on time: A = 1;
        // breached: B + C = 2; handled first in Sept: A + B = 2; reopened: B = 1.
        Assert.Equal(3, t1.GetProperty("due").GetInt32());
        Assert.Equal(2, t1.GetProperty("closed").GetInt32());
        Assert.Equal(1, t1.GetProperty("closedOnTime").GetInt32());
        Assert.Equal(2, t1.GetProperty("breached").GetInt32());
        Assert.Equal(2, t1.GetProperty("handled").GetInt32());
        Assert.Equal(1, t1.GetProperty("reopened").GetInt32());
        Assert.Equal(0.6667, t1.GetProperty("closeRate").GetDouble());   // 结案率 2 / 3
        Assert.Equal(0.3333, t1.GetProperty("onTimeRate").GetDouble());  // 按期结案率 1 / 3
        Assert.Equal(0.5, t1.GetProperty("reworkRate").GetDouble());     // 返工率 1 / 2
        Assert.Equal(0.6667, t1.GetProperty("breachRate").GetDouble());  // 延期率 2 / 3
        Assert.Equal(132, t1.GetProperty("averageHandlingHours").GetDouble()); // (72 h + 192 h) / 2
        // The month starts at 2026-09-01 00:00 China time.
        Assert.Equal(new DateTime(2026, 8, 31, 16, 0, 0, DateTimeKind.Utc), t1.GetProperty("periodStart").GetDateTime().ToUniversalTime());

        var t2 = rows.EnumerateArray().Single(r => r.GetProperty("key").GetString() == "T2");
        // due: D only (E is due in October) = 1; closed on time 1; handled 1; 192 h.
        Assert.Equal(1, t2.GetProperty("due").GetInt32());
        Assert.Equal(1.0, t2.GetProperty("closeRate").GetDouble());
        Assert.Equal(1.0, t2.GetProperty("onTimeRate").GetDouble());
        Assert.Equal(0.0, t2.GetProperty("reworkRate").GetDouble());
        Assert.Equal(0.0, t2.GetProperty("breachRate").GetDouble());
        Assert.Equal(192, t2.GetProperty("averageHandlingHours").GetDouble());
        Assert.Equal(2, rows.GetArrayLength());
    }

    [Fact]
    public async Task Indicators_match_the_hand_computation_and_replaying_the_events_changes_nothing()
    {
        await using var host = new CommandCenterHost();
        await host.InitializeAsync();
        var events = Fixture();
        await host.ApplyAsync(events);
        var admin = TestTokens.Admin();
        var first = await host.GetJsonAsync(admin, SeptemberByTownship);
        AssertHandComputed(first);
        var casesBefore = await SnapshotAsync(host.Database);

        // The broker redelivers, or an operator replays the whole stream: nothing may move.
        await host.ApplyAsync(events);
        await host.ApplyAsync(events.AsEnumerable().Reverse());
        var second = await host.GetJsonAsync(admin, SeptemberByTownship);
        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(casesBefore, await SnapshotAsync(host.Database));
        AssertHandComputed(second);
    }

    [Fact]
    public async Task Events_in_reverse_order_give_the_same_read_model_as_in_order()
    {
        await using var inOrder = new CommandCenterHost();
        await inOrder.InitializeAsync();
        await using var reversed = new CommandCenterHost();
        await reversed.InitializeAsync();
        var events = Fixture();

        // A CaseClosed before its CaseReported: the case row starts from the close and fills in later.
        var close = events.OfType<CaseClosed>().First();
        await reversed.Projector.ApplyAsync(close);
        var early = await SnapshotAsync(reversed.Database);
        Assert.Contains($"{close.CaseId}|closed|{close.CaseNumber}|V1||", early);

        await inOrder.ApplyAsync(events);
        await reversed.ApplyAsync(events.AsEnumerable().Reverse());
        Assert.Equal(await SnapshotAsync(inOrder.Database), await SnapshotAsync(reversed.Database));
        AssertHandComputed(await reversed.GetJsonAsync(TestTokens.Admin(), SeptemberByTownship));

        // Every interleaving, not just the reverse one: a fixed-seed shuffle.
        var rng = new Random(20260923);
        await using var shuffled = new CommandCenterHost();
        await shuffled.InitializeAsync();
        await shuffled.ApplyAsync(events.OrderBy(_ => rng.Next()).ToList());
        Assert.Equal(await SnapshotAsync(inOrder.Database), await SnapshotAsync(shuffled.Database));
    }

    [Fact]
    public async Task Events_written_in_groups_with_repeats_inside_a_group_give_the_same_read_model()
    {
        await using var oneByOne = new CommandCenterHost();
        await oneByOne.InitializeAsync();
        await using var grouped = new CommandCenterHost();
        await grouped.InitializeAsync();
        var events = Fixture();
        await oneByOne.ApplyAsync(events);

        // As the group commit writes them: several events in one transaction, a redelivered one beside its first
        // delivery, and groups of events applied before — each event counted and applied once.
        var rng = new Random(20261201);
        var shuffled = events.OrderBy(_ => rng.Next()).ToList();
        var applied = 0;
        foreach (var group in shuffled.Chunk(7))
        {
            applied += await grouped.Projector.ApplyAsync([.. group, group[0], .. group.Reverse()]);
        }

        Assert.Equal(events.Count, applied);
        Assert.Equal(0, await grouped.Projector.ApplyAsync(events));
        Assert.Equal(await SnapshotAsync(oneByOne.Database), await SnapshotAsync(grouped.Database));
        AssertHandComputed(await grouped.GetJsonAsync(TestTokens.Admin(), SeptemberByTownship));
    }

    [Fact]
    public async Task An_event_the_database_refuses_fails_alone_and_its_group_is_still_written()
    {
        await using var host = new CommandCenterHost();
        await host.InitializeAsync();
        var batcher = host.Factory.Services.GetRequiredService<Grid.CommandCenter.Infrastructure.ProjectionBatcher>();
        var good = Enumerable.Range(0, 30).Select(i => new CaseScript(Domains.Fire, ["C", "C-T1", "C-T1-V1"], $"F-GOOD-{i}").Reported("2026-11-01T02:00Z").Events[0]).ToList();
        // A NUL character, which PostgreSQL's text refuses: the group it lands in fails, and is written one by one.
        var bad = new CaseScript(Domains.Fire, ["C", "C-T1", "C-T1-V1"], "F-BAD", title: "坏\0事件").Reported("2026-11-01T02:00Z").Events[0];
        var all = good.Take(15).Append(bad).Concat(good.Skip(15)).Select(e => batcher.ApplyAsync(e, CancellationToken.None)).ToList();
        var refused = await Assert.ThrowsAsync<PostgresException>(() => all[15]);
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
        await Task.WhenAll(all.Where((_, i) => i != 15));
        Assert.Equal(30, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM cc_cases WHERE case_number LIKE 'F-GOOD-%'"));
        Assert.Equal(0, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM cc_cases WHERE case_number = 'F-BAD'"));
        Assert.Equal(30, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework.inbox"));
    }

    [Fact]
    public async Task Rankings_and_department_indicators_follow_the_same_counts()
    {
        await using var host = new CommandCenterHost();
        await host.InitializeAsync();
        await host.ApplyAsync(Fixture());
        var admin = TestTokens.Admin();
        var ranking = await host.GetJsonAsync(admin, "/api/command/v1/rankings?by=grid&parent=C&from=2026-09-01&to=2026-09-30");
        // T2: 100 × 1.0 − 50 × 0 = 100; T1: 100 × 1/3 − 50 × 0.5 = 33.33 − 25 = 8.33.
        Assert.Equal("T2", ranking[0].GetProperty("key").GetString());
        Assert.Equal(100, ranking[0].GetProperty("score").GetDouble());
        Assert.Equal("T1", ranking[1].GetProperty("key").GetString());
        Assert.Equal(8.33, ranking[1].GetProperty("score").GetDouble());

        var departments = await host.GetJsonAsync(admin, "/api/command/v1/indicators?groupBy=department&period=month&from=2026-09-01&to=2026-09-30");
        var fire = departments.EnumerateArray().Single(r => r.GetProperty("key").GetString() == "消防大队");
        // 消防大队 had A (on time) and B (late): due 2, on time 1.
        Assert.Equal(2, fire.GetProperty("due").GetInt32());
        Assert.Equal(0.5, fire.GetProperty("onTimeRate").GetDouble());

        var weekly = await host.GetJsonAsync(admin, "/api/command/v1/indicators?groupBy=domain&period=week&from=2026-09-01&to=2026-09-30");
        // Fire cases A, B, D are due in the ISO weeks of 08-31 (A 09-05, B 09-06) and 09-07 (D 09-10).
        var fireWeeks = weekly.EnumerateArray().Where(r => r.GetProperty("key").GetString() == "fire" && r.GetProperty("due").GetInt32() > 0)
            .Select(r => (r.GetProperty("periodStart").GetDateTime().ToUniversalTime(), r.GetProperty("due").GetInt32())).ToList();
        Assert.Equal([(new DateTime(2026, 8, 30, 16, 0, 0, DateTimeKind.Utc), 2), (new DateTime(2026, 9, 6, 16, 0, 0, DateTimeKind.Utc), 1)], fireWeeks);
    }

    [Fact]
    public async Task A_case_closed_this_month_before_its_deadline_counts_this_month_with_no_dates_or_only_from()
    {
        await using var host = new CommandCenterHost();
        await host.InitializeAsync();

        // Closed on time minutes ago (never before this month began, China time), its deadline ten days ahead; and an
        // open case of the other township whose deadline is still ahead, which is not yet due.
        var now = DateTimeOffset.UtcNow;
        var cst = now.ToOffset(TimeSpan.FromHours(8));
        var monthStart = new DateTimeOffset(cst.Year, cst.Month, 1, 0, 0, 0, TimeSpan.FromHours(8));
        string Ago(double minutes) => (now.AddMinutes(-minutes) < monthStart ? monthStart.AddSeconds(60 - minutes) : now.AddMinutes(-minutes)).ToString("O");
        var deadline = now.AddDays(10).ToString("O");
        var early = new CaseScript(Domains.Fire, V1, "FIRE-EARLY").Reported(Ago(50)).Accepted(Ago(40), deadline).Dispatched(Ago(30), "消防大队", deadline)
            .Handled(Ago(20)).Verified(Ago(10)).Closed(Ago(5), onTime: true, reportedAt: Ago(50));
        var open = new CaseScript(Domains.Fire, V2, "FIRE-AHEAD").Reported(Ago(50)).Accepted(Ago(40), deadline);
        await host.ApplyAsync([.. early.Events, .. open.Events]);
        var admin = TestTokens.Admin();
        var from = $"{cst:yyyy-MM}-01";

        foreach (var query in new[] { "", $"&from={from}" })
        {
            var rows = await host.GetJsonAsync(admin, $"/api/command/v1/indicators?groupBy=grid&parent=C&period=month{query}");
            var t1 = Assert.Single(rows.EnumerateArray(), r => r.GetProperty("key").GetString() == "T1" && r.GetProperty("due").GetInt32() > 0);
            Assert.Equal(1, t1.GetProperty("due").GetInt32());
            Assert.Equal(1, t1.GetProperty("closedOnTime").GetInt32());
            Assert.Equal(1.0, t1.GetProperty("onTimeRate").GetDouble());
            Assert.DoesNotContain(rows.EnumerateArray(), r => r.GetProperty("key").GetString() == "T2" && r.GetProperty("due").GetInt32() > 0);

            var ranking = await host.GetJsonAsync(admin, $"/api/command/v1/rankings?by=grid&parent=C{query}");
            Assert.Equal("T1", ranking[0].GetProperty("key").GetString());
            Assert.Equal(100, ranking[0].GetProperty("score").GetDouble());
        }

        // Only "to", a day of last month: from the first of that month, so this month's close is not in it.
        var lastMonth = monthStart.AddDays(-1);
        var before = await host.GetJsonAsync(admin, $"/api/command/v1/indicators?groupBy=grid&parent=C&period=month&to={lastMonth:yyyy-MM-dd}");
        Assert.DoesNotContain(before.EnumerateArray(), r => r.GetProperty("due").GetInt32() > 0);
    }

    /// <summary>The case rows as text, without the projection time stamp and the arrival sequence.</summary>
    internal static async Task<string> SnapshotAsync(string database)
    {
        await using var conn = new NpgsqlConnection(database);
        var rows = await conn.QueryAsync<string>("""
            SELECT concat_ws('|', case_id, state, case_number, grid_id, '', domain, array_to_string(grid_path, '/'), category, title,
                reported_at, accepted_at, dispatched_at, handle_by, department, first_handled_at, verified_at, closed_at, on_time,
                reopen_count, breach_count, first_breached_at, escalated_at, escalation_reason, escalated_to, listed_at, state_at, last_event_at)
            FROM cc_cases ORDER BY case_number
            """);
        return string.Join("\n", rows);
    }
}
