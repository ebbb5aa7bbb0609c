using System.Globalization;
using System.Text.Json;
using Grid.Contracts.Roles;
using Grid.Testing;
using Microsoft.Playwright;

namespace Grid.EndToEnd;

/// <summary>The command centre as its users meet it: the page at the gateway, demo log-ins, the demo county, cases that the cast takes through.</summary>
[Collection(SuiteCollection.Name)]
public class CommandCentreTests(AssembledSuite suite)
{
    static DemoUser Commander(IReadOnlyList<DemoUser> everyone) =>
        everyone.FirstOrDefault(u => u.Posts.Any(p => p.Role == GridRoles.Commander))
        ?? throw new Xunit.Sdk.XunitException("no demo log-in holds the commander role; the demo cast: " + string.Join("; ", everyone));

    [Fact]
    public async Task The_demo_commander_logs_in_on_the_page_and_sees_the_demo_county_by_name()
    {
        var commander = Commander(await suite.DemoUsersAsync());
        await using var dashboard = await Dashboard.LogInAsync(suite, commander.UserName);
        var page = dashboard.Page;
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync(commander.Name);

        // The map starts at the commander's top grid, the county; a click on it in the list shows its areas. The fire
        // hierarchy: the demo county's cases are fire cases, so its board, indicators and rankings have numbers.
        await dashboard.ShowHierarchyAsync("fire");
        var top = await dashboard.MapNamesAsync();
        Assert.Contains(top, n => n.Contains("示范县", StringComparison.Ordinal));
        await dashboard.DrillIntoFirstGridAsync();
        await Assertions.Expect(page.Locator("#crumbs a[data-level='1']")).ToContainTextAsync("示范县");
        await Wait.UntilAsync(async () => (await dashboard.MapNamesAsync()).Count >= 2, TimeSpan.FromSeconds(30), "the county's areas on the map");
        var areas = await dashboard.MapNamesAsync();
        Assert.All(areas, n => Assert.Matches("片区", n));
        Assert.Equal(areas.Count.ToString(CultureInfo.InvariantCulture), await page.Locator("#map").GetAttributeAsync("data-count"));
        foreach (var name in areas)
        {
            await Assertions.Expect(page.Locator("#map-grids li[data-grid]", new() { HasText = name })).ToHaveCountAsync(1);
        }

        // The board's numbers and the named rankings of grids and departments.
        foreach (var kpi in new[] { "#kpi-open", "#kpi-overdue", "#kpi-escalated", "#kpi-listed", "#kpi-transfers", "#kpi-summons" })
        {
            await Assertions.Expect(page.Locator(kpi)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));
        }

        // The county's areas ranked by name (a case held at the county itself, e.g. one transferred without a position, ranks too).
        await Assertions.Expect(page.Locator("#ranking tr[data-key] td:nth-child(2)", new() { HasText = "片区" }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#dept-ranking tr[data-key]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await dashboard.ScreenshotAsync("e2e-dashboard");
        var text = await page.Locator("body").InnerTextAsync();
        Assert.DoesNotMatch(Dashboard.Uuid(), text);
        Assert.Empty(dashboard.Errors);
    }

    [Fact]
    public async Task A_hazard_reported_by_position_reaches_the_page_and_the_fire_cast_closes_it()
    {
        var everyone = await suite.DemoUsersAsync();
        var commander = Commander(everyone);
        var finder = everyone.Single(u => u.UserName == "worker01");
        var at = await Cases.PositionInAsync(suite, finder);
        var closedBefore = await ClosedThisMonthAsync(commander, "fire");

        await using var dashboard = await Dashboard.LogInAsync(suite, commander.UserName);
        var page = dashboard.Page;
        await Assertions.Expect(page.Locator("#feed-status.on")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        // The fire hierarchy from its top grid: the board and the map count fire cases only (environment's stations open cases of their own).
        await dashboard.ShowHierarchyAsync("fire");
        await dashboard.DrillIntoFirstGridAsync();
        // The drilled grid's own count: the board shows none until it has loaded (should a load fail, it is tried again).
        await Assertions.Expect(page.Locator("#kpi-open")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"), new() { Timeout = 30_000 });
        var openBefore = int.Parse(await page.Locator("#kpi-open").InnerTextAsync(), CultureInfo.InvariantCulture);
        var onMapBefore = await dashboard.OpenOnMapAsync();

        var reported = await Cases.ReportFireHazardAsync(finder, at, "楼道内电动车充电");
        var id = reported.GetProperty("id").GetString()!;
        var number = reported.GetProperty("number").GetString()!;

        // The live feed shows it, and the board and the map count it, without a reload.
        await Assertions.Expect(page.Locator($"#feed li[data-case='{number}']")).ToContainTextAsync("楼道内电动车充电", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#kpi-open")).ToHaveTextAsync((openBefore + 1).ToString(CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        await Wait.UntilAsync(async () => await dashboard.OpenOnMapAsync() == onMapBefore + 1, TimeSpan.FromSeconds(30), "the map to count the new case");

        // The fire cast of the case's grid takes it to closure: the township fire office accepts and dispatches, the
        // village fire manager handles, the office verifies and closes.
        var path = Cases.GridPath(reported);
        var chief = Cases.Holder(everyone, "fire", GridRoles.TownshipFireOffice, path);
        var worker = Cases.Holder(everyone, "fire", GridRoles.VillageFireManager, path);
        await Cases.StepAsync(chief, "fire", id, "accept");
        await Cases.StepAsync(chief, "fire", id, "dispatch", new { assignee = worker.Name });
        await Cases.StepAsync(worker, "fire", id, "start");
        await Cases.StepAsync(worker, "fire", id, "handle", new { result = "已拆除私拉电线，设置集中充电点" });
        await Cases.StepAsync(chief, "fire", id, "verify", new { passed = true });
        var closed = await Cases.StepAsync(chief, "fire", id, "close");
        Assert.Equal("closed", closed.GetProperty("state").GetString());

        // The finder sees the department's result; the board and the month's indicators count the closure.
        var seen = await Cases.GetAsync(finder, "fire", id);
        Assert.Equal("已拆除私拉电线，设置集中充电点", seen.GetProperty("result").GetString());
        await Assertions.Expect(page.Locator("#kpi-open")).ToHaveTextAsync(openBefore.ToString(CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        await Wait.UntilAsync(async () => await ClosedThisMonthAsync(commander, "fire") == closedBefore + 1, TimeSpan.FromSeconds(30), "the month's indicators to count the closure");
        Assert.Empty(dashboard.Errors);

        // The live feed ran on the token all along, and no URL the page asked for carried it.
        Assert.Contains(dashboard.RequestUrls, u => u.Contains("/events/stream", StringComparison.Ordinal));
        Assert.DoesNotContain(dashboard.RequestUrls, u => u.Contains("access_token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fire_case_transferred_to_environment_comes_back_with_its_result_and_is_closed()
    {
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var reported = await Cases.ReportFireHazardAsync(finder, await Cases.PositionInAsync(suite, finder), "小作坊向河道排放废液");
        var id = reported.GetProperty("id").GetString()!;
        var fireChief = Cases.Holder(everyone, "fire", GridRoles.TownshipFireOffice, Cases.GridPath(reported));
        await Cases.StepAsync(fireChief, "fire", id, "accept");
        var transferred = await Cases.StepAsync(fireChief, "fire", id, "transfer", new { targetDomain = "environment", reason = "属环保部门职责" });
        Assert.Equal("transferred", transferred.GetProperty("state").GetString());

        // Environment opens its own case for it; its cast handles and closes it.
        var withTarget = await Cases.WaitForAsync(fireChief, "fire", id,
            c => c.GetProperty("transferCaseId").ValueKind == JsonValueKind.String, "environment to take the transfer");
        var envId = withTarget.GetProperty("transferCaseId").GetString()!;
        var (envChief, envCase) = await Cases.HolderOfAsync(everyone, "environment", GridRoles.GridChief, envId);
        var envPath = Cases.GridPath(envCase);
        var envWorker = Cases.Holder(everyone, "environment", GridRoles.EnvironmentOfficer, envPath);
        await Cases.StepAsync(envChief, "environment", envId, "accept");
        await Cases.StepAsync(envChief, "environment", envId, "dispatch", new { assignee = envWorker.Name });
        await Cases.StepAsync(envWorker, "environment", envId, "start");
        await Cases.StepAsync(envWorker, "environment", envId, "handle", new { result = "已责令停产整改，排污口封堵" });
        await Cases.StepAsync(envChief, "environment", envId, "verify", new { passed = true });
        await Cases.StepAsync(envChief, "environment", envId, "close");

        // The result comes back to fire as the case's feedback; fire verifies and closes.
        var back = await Cases.WaitForAsync(fireChief, "fire", id, c => c.GetProperty("state").GetString() == "handled", "the transfer's result to reach fire");
        Assert.Contains("已责令停产整改", back.GetProperty("result").GetString());
        await Cases.StepAsync(fireChief, "fire", id, "verify", new { passed = true });
        Assert.Equal("closed", (await Cases.StepAsync(fireChief, "fire", id, "close")).GetProperty("state").GetString());
    }

    /// <summary>Cases of the domain closed in the indicators' range (this month and the two before).</summary>
    static async Task<int> ClosedThisMonthAsync(DemoUser user, string domain)
    {
        var lines = await Cases.ReadAsync(await user.Http.GetAsync("/api/command/v1/indicators?groupBy=domain&period=month"), "indicators");
        return lines.EnumerateArray().Where(l => l.GetProperty("key").GetString() == domain).Sum(l => l.GetProperty("closedInPeriod").GetInt32());
    }
}
