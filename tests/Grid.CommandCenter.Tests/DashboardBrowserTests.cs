using System.Text;
using System.Text.Json;
using Grid.AppHost.Hosting;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Playwright;

namespace Grid.CommandCenter.Tests;

/// <summary>The dashboard in real headless Chromium, through the real gateway, with a case reported by the real fire service.</summary>
public class DashboardBrowserTests
{
    static readonly BrowserTypeLaunchOptions Launch = new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    };

    [Fact]
    public async Task Login_map_drill_down_live_feed_and_overdue_board_work_in_chromium()
    {
        var infra = await GridInfrastructure.GetAsync();
        var database = await infra.CreateDatabaseAsync("dash");
        var messaging = await infra.CreateVirtualHostAsync("dash");
        var port = FreePort.Next();
        await using var factory = new GridServiceFactory<Program>()
            .WithConnectionString("commanddb", database)
            .WithConnectionString("messaging", messaging);
        factory.UseKestrel(port);
        factory.StartServer();
        var commandUrl = $"http://127.0.0.1:{port}";
        var county = "DC" + Guid.NewGuid().ToString("N")[..6];
        var token = TestTokens.Create("zhang.san", ["commander"], grids: [county], name: "张三");

        // The fire service (a real process on the same broker, its grid tree the fixture's county) and the
        // gateway in front of both: the browser and the reporting grid worker only ever talk to the gateway.
        var fireSettings = await FireServiceSettings.CreateAsync(infra, messaging, "dashfire",
        [
            new(county, "示范县", "county"), new(county + "-T1", "一镇", "large", county), new(county + "-T2", "二镇", "large", county),
            new(county + "-T1-V1", "东村", "mid", county + "-T1"), new(county + "-T1-V2", "西村", "mid", county + "-T1"),
            new(county + "-T2-V1", "南村", "mid", county + "-T2"), new(county + "-T2-V2", "北村", "mid", county + "-T2"),
        ]);
        await using var fire = await ProjectProcess.StartAsync("fire", "services/Grid.FireSafety", fireSettings);
        await using var gateway = await ProjectProcess.StartAsync("gateway", "gateway/Grid.Gateway", new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = infra.RedisConnectionString,
            ["Gateway__RateLimit__KeyPrefix"] = GridInfrastructure.UniqueName("dashrl") + ":",
            ["services__command__http__0"] = commandUrl,
            ["services__fire__http__0"] = fire.Url.ToString().TrimEnd('/'),
        });
        var baseUrl = gateway.Url.ToString().TrimEnd('/');

        using (var admin = new HttpClient { BaseAddress = new Uri(baseUrl) })
        {
            admin.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Admin());
            using var put = await admin.PutAsync("/api/command/v1/map/grids", new StringContent(Fixtures.Boundaries(county), Encoding.UTF8, "application/json"));
            put.EnsureSuccessStatusCode();
        }

        await SeedAsync(factory.Services.GetService(typeof(Grid.CommandCenter.Infrastructure.ReadModelProjector)) as Grid.CommandCenter.Infrastructure.ReadModelProjector, county);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Launch);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1100 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        // The organization service issues tokens; here its token endpoint answers from the test, at the network level.
        await page.RouteAsync("**/api/org/v1/token", async route =>
        {
            var body = JsonDocument.Parse(route.Request.PostData ?? "{}").RootElement;
            var ok = body.GetProperty("username").GetString() == "zhang.san" && body.GetProperty("password").GetString() == "正确的密码";
            await route.FulfillAsync(ok
                ? new RouteFulfillOptions { Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(new { access_token = token }) }
                : new RouteFulfillOptions { Status = 401, ContentType = "application/problem+json", Body = "{}" });
        });

        await page.GotoAsync($"{baseUrl}/dashboard/");
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
        await page.FillAsync("#username", "zhang.san");
        await page.FillAsync("#password", "错误");
        await page.ClickAsync("#login button[type=submit]");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("用户名或密码错误");
        await page.FillAsync("#password", "正确的密码");
        await page.ClickAsync("#login button[type=submit]");
        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync();
        Assert.Equal(token, await page.EvaluateAsync<string>("localStorage.getItem('grid_token')"));
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync("张三");

        // The map starts at the user's own grid, coloured by its cases: 4 open, 2 overdue.
        var countyShape = page.Locator($"#map path[data-grid='{county}']");
        await Assertions.Expect(countyShape).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#map text")).ToHaveTextAsync("示范县 4/2");
        await Assertions.Expect(page.Locator("#kpi-open")).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("#kpi-listed")).ToHaveTextAsync("1");

        // Drill down: county → townships.
        await countyShape.ClickAsync();
        await Assertions.Expect(page.Locator("#map path")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#map path[data-grid='{county}-T1']")).ToHaveAttributeAsync("fill", "#c0392b");
        await Assertions.Expect(page.Locator($"#map path[data-grid='{county}-T2']")).ToHaveAttributeAsync("fill", "#c98a1b");
        await Assertions.Expect(page.Locator("#crumbs")).ToContainTextAsync("示范县");

        // The overdue board lists the overdue cases of the scope.
        await page.ClickAsync(".tabs button[data-board=overdue]");
        await Assertions.Expect(page.Locator("#board tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#board")).ToContainTextAsync("FIRE-OVERDUE");
        await Assertions.Expect(page.Locator("#board")).ToContainTextAsync("东村");

        // A case event arrives through the broker: the live feed and the counts update without a reload.
        await Assertions.Expect(page.Locator("#feed-status.on")).ToHaveCountAsync(1);
        using var worker = new HttpClient { BaseAddress = new Uri(baseUrl) };
        worker.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Create("gw-9", ["grid-worker"], ["fire"], [county + "-T2-V1"], name: "李网格"));
        using var reported = await worker.PostAsync("/api/fire/v1/hazards", new StringContent(JsonSerializer.Serialize(new
        {
            gridId = county + "-T2-V1",
            area = "electricity",
            title = "楼道内电动车充电",
            description = "私拉电线",
        }), Encoding.UTF8, "application/json"));
        var reportBody = await reported.Content.ReadAsStringAsync();
        Assert.True(reported.IsSuccessStatusCode, $"{(int)reported.StatusCode}: {reportBody}");
        var caseNumber = JsonDocument.Parse(reportBody).RootElement.GetProperty("case").GetProperty("number").GetString();

        // Another township's event must not reach this user's feed.
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(messaging.Replace("amqp://", "rabbitmq://"))));
        await bus.StartAsync();
        try
        {
            await bus.Publish(new CaseReported
            {
                CaseId = Guid.NewGuid(),
                CaseNumber = "ENV-ELSEWHERE",
                Domain = Domains.Environment,
                GridId = "other-V",
                GridPath = ["other", "other-T", "other-V"],
                OccurredAt = DateTimeOffset.UtcNow,
                ReceivedAt = DateTimeOffset.UtcNow,
                Title = "别处",
            });
        }
        finally
        {
            await bus.StopAsync();
        }

        await Assertions.Expect(page.Locator($"#feed li[data-case='{caseNumber}']")).ToContainTextAsync("上报 楼道内电动车充电", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#kpi-open")).ToHaveTextAsync("5");
        await Assertions.Expect(page.Locator($"#map path[data-grid='{county}-T2'] title")).ToHaveTextAsync("二镇: 在办 2, 超期 0");
        await page.WaitForTimeoutAsync(1000);
        await Assertions.Expect(page.Locator("#feed li[data-case='ENV-ELSEWHERE']")).ToHaveCountAsync(0);

        // Screenshot of the county view for the record, then drill into a township and down to its villages.
        await page.ClickAsync(".tabs button[data-board=supervision]");
        await Assertions.Expect(page.Locator("#board")).ToContainTextAsync("挂牌督办");
        await page.ClickAsync(".tabs button[data-board=overdue]");
        await Assertions.Expect(page.Locator("#board tbody tr")).ToHaveCountAsync(2);
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard.png"), FullPage = true });

        await page.Locator($"#map path[data-grid='{county}-T1']").ClickAsync();
        await Assertions.Expect(page.Locator("#map path")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#map path[data-grid='{county}-T1-V1']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#board tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#crumbs a")).ToHaveCountAsync(3);
        await page.ClickAsync("#crumbs a[data-level='0']");
        await Assertions.Expect(page.Locator($"#map path[data-grid='{county}']")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-village.png") });
        Assert.Empty(errors);
    }

    /// <summary>A small live situation: overdue, escalated, listed and closed cases in two townships.</summary>
    static async Task SeedAsync(Grid.CommandCenter.Infrastructure.ReadModelProjector? projector, string county)
    {
        ArgumentNullException.ThrowIfNull(projector);
        string At(double hoursAgo) => DateTimeOffset.UtcNow.AddHours(-hoursAgo).ToString("O");
        string[] t1v1 = [county, county + "-T1", county + "-T1-V1"];
        string[] t1v2 = [county, county + "-T1", county + "-T1-V2"];
        string[] t2v2 = [county, county + "-T2", county + "-T2-V2"];
        var scripts = new[]
        {
            new CaseScript(Domains.Fire, t1v1, "FIRE-OVERDUE", "九小场所", "疏散通道堵塞").Reported(At(80)).Accepted(At(79), At(10))
                .Dispatched(At(78), "消防大队", At(10)).Breached(At(10)),
            new CaseScript(Domains.Fire, t1v2, "FIRE-MAJOR", "三合一场所", "重大火灾隐患").Reported(At(30)).Accepted(At(29), At(-48))
                .Escalated(At(28), EscalationReasons.Major, county).Breached(At(2), "verify"),
            new CaseScript(Domains.Labor, t2v2, "LAB-WAGE", "欠薪", "拖欠农民工工资").Reported(At(5)).Accepted(At(4), At(-72))
                .Dispatched(At(3), "人社局", At(-72)),
            new CaseScript(Domains.Drugs, t1v1, "DRUG-DONE", "药房检查", "药品储存温度不达标").Reported(At(50)).Accepted(At(49), At(20))
                .Dispatched(At(48), "市场监管所", At(20)).Handled(At(30)).Verified(At(26)).Closed(At(25), onTime: true, reportedAt: At(50)),
            new CaseScript(Domains.Environment, t1v2, "ENV-OPEN", "污染", "夜间排污").Reported(At(2)),
        };
        foreach (var e in scripts.SelectMany(s => s.Events))
        {
            await projector.ApplyAsync(e);
        }
    }
}
