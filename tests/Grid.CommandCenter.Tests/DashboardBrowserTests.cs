using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Microsoft.Playwright;

namespace Grid.CommandCenter.Tests;

/// <summary>
/// The dashboard in real headless Chromium, through the real gateway, served by the command centre run from its
/// build output (another working directory and content root), logging in at the real organization service,
/// whose grids the map draws.
/// </summary>
public class DashboardBrowserTests
{
    static readonly BrowserTypeLaunchOptions Launch = new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    };

    const string MapNames = "() => echarts.getInstanceByDom(document.getElementById('map')).getOption().series[0].data.map(d => d.name).join(',')";

    [Fact]
    public async Task Login_map_names_indicators_rankings_and_live_feed_work_in_chromium()
    {
        var infra = await GridInfrastructure.GetAsync();
        var password = "Pw-" + Guid.NewGuid().ToString("N")[..12];
        var clientSecret = Guid.NewGuid().ToString("N");

        // The organization service: tokens (RS256, its own keys) and the grid tree the map draws.
        await using var organization = await ProjectProcess.StartAsync("organization", "services/Grid.Organization", new Dictionary<string, string>
        {
            ["ConnectionStrings__organizationdb"] = await infra.CreateDatabaseAsync("dashorg"),
            ["Identity__AdminPassword"] = password,
            ["Identity__Clients__command__Secret"] = clientSecret,
        });
        var orgUrl = organization.Url.ToString().TrimEnd('/');
        using var org = new HttpClient { BaseAddress = organization.Url };
        var adminToken = await TokenAsync(org, "admin", password);
        org.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);
        var ids = new Dictionary<string, string>();
        async Task Grid(string key, string name, string level, string? parent, double x0, double x1)
        {
            using var r = await org.PostAsJsonAsync("/api/org/v1/grids", new JsonObject
            {
                ["code"] = "DASH-" + key,
                ["name"] = name,
                ["levelName"] = level,
                ["hierarchy"] = "fire",
                ["parentId"] = parent is null ? null : ids[parent],
                ["boundary"] = new JsonObject
                {
                    ["type"] = "Polygon",
                    ["coordinates"] = new JsonArray(new JsonArray(new JsonArray(x0, 34.5), new JsonArray(x1, 34.5), new JsonArray(x1, 34.9), new JsonArray(x0, 34.9), new JsonArray(x0, 34.5))),
                },
            });
            Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
            ids[key] = (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.ToString();
        }

        await Grid("C", "示范县", "县", null, 113.0, 113.6);
        await Grid("T1", "一镇", "乡镇", "C", 113.0, 113.3);
        await Grid("T2", "二镇", "乡镇", "C", 113.3, 113.6);
        await Grid("T1V1", "东村", "村", "T1", 113.0, 113.15);
        await Grid("T1V2", "西村", "村", "T1", 113.15, 113.3);
        await Grid("T2V1", "南村", "村", "T2", 113.3, 113.45);
        await Grid("T2V2", "北村", "村", "T2", 113.45, 113.6);

        // The command centre as ./grid up runs it: `dotnet bin/<configuration>/net10.0/Grid.CommandCenter.dll`, with a
        // content root that has no wwwroot, so the page can only come from the build output.
        var database = await infra.CreateDatabaseAsync("dash");
        var messaging = await infra.CreateVirtualHostAsync("dash");
        var elsewhere = Directory.CreateTempSubdirectory("grid-dash-root-").FullName;
        var jwks = $"{orgUrl}/.well-known/jwks.json";
        await using var command = await ProjectProcess.StartAsync("command", "services/Grid.CommandCenter", new Dictionary<string, string>
        {
            ["ConnectionStrings__commanddb"] = database,
            ["ConnectionStrings__messaging"] = messaging,
            ["services__organization__http__0"] = orgUrl,
            ["Identity__JwksUrl"] = jwks,
            ["ASPNETCORE_CONTENTROOT"] = elsewhere,
            ["Identity__ClientId"] = "command",
            ["Identity__ClientSecret"] = clientSecret,
        });
        Assert.False(Directory.Exists(Path.Combine(elsewhere, "wwwroot")));
        Assert.DoesNotContain("No dashboard", command.Log);
        await using var gateway = await ProjectProcess.StartAsync("gateway", "gateway/Grid.Gateway", new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = infra.RedisConnectionString,
            ["Gateway__RateLimit__KeyPrefix"] = GridInfrastructure.UniqueName("dashrl") + ":",
            ["services__command__http__0"] = command.Url.ToString().TrimEnd('/'),
            ["services__organization__http__0"] = orgUrl,
            ["Identity__JwksUrl"] = jwks,
        });
        var baseUrl = gateway.Url.ToString().TrimEnd('/');

        // The page and its vendored ECharts are public (the page is where one logs in); the APIs are not.
        using (var anonymous = new HttpClient { BaseAddress = gateway.Url })
        {
            using var html = await anonymous.GetAsync("/dashboard/");
            Assert.Equal(HttpStatusCode.OK, html.StatusCode);
            Assert.Contains("联合指挥中心", await html.Content.ReadAsStringAsync());
            using var echarts = await anonymous.GetAsync("/dashboard/vendor/echarts.min.js");
            Assert.Equal(HttpStatusCode.OK, echarts.StatusCode);
            Assert.Contains("registerMap", await echarts.Content.ReadAsStringAsync());
            using var board = await anonymous.GetAsync("/api/command/v1/board");
            Assert.Equal(HttpStatusCode.Unauthorized, board.StatusCode);
        }

        // The read model: written by a second command-centre instance in this process (its own virtual host, so it
        // does not take the process's events), on the same database.
        await using (var seeder = new GridServiceFactory<Program>()
            .WithConnectionString("commanddb", database)
            .WithConnectionString("messaging", await infra.CreateVirtualHostAsync("dashseed")))
        {
            await SeedAsync(seeder.Services.GetService(typeof(Infrastructure.ReadModelProjector)) as Infrastructure.ReadModelProjector, ids);
        }

        using (var admin = new HttpClient { BaseAddress = gateway.Url })
        {
            admin.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);

            // Before anyone opens the map, the command centre has copied the grids with its own token: boards name them.
            await Wait.UntilAsync(async () =>
            {
                var overdue = await admin.GetFromJsonAsync<JsonObject>("/api/command/v1/overdue");
                return overdue!["gridNames"]?[ids["T1V1"]]?.GetValue<string>() == "东村";
            }, TimeSpan.FromSeconds(60), "the overdue board names the village of its case");

            // The map API draws the organization's grids of the asked hierarchy, by name.
            var top = (await admin.GetFromJsonAsync<JsonObject>("/api/command/v1/map?hierarchy=fire"))!["features"]!.AsArray();
            Assert.Equal("示范县", Assert.Single(top)!["properties"]!["name"]!.GetValue<string>());

            // The Excel export names grids too.
            var xlsx = await admin.GetByteArrayAsync("/api/command/v1/overdue/export");
            var rows = MiniExcelLibs.MiniExcel.Query(new MemoryStream(xlsx), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
            var overdueRow = Assert.Single(rows, r => (string)r["案件编号"] == "FIRE-OVERDUE");
            Assert.Equal("东村", overdueRow["网格"]);
            Assert.Equal("示范县 / 一镇 / 东村", overdueRow["网格路径"]);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Launch);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1100 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        var errors = new List<string>();
        var loggedIn = false;
        page.PageError += (_, e) => errors.Add(e);
        var failed = new List<string>();
        page.Response += (_, r) =>
        {
            // The one refusal expected: the wrong password below.
            if (r.Status >= 400 && !(r.Status == 401 && r.Url.EndsWith("/api/org/v1/token", StringComparison.Ordinal) && !loggedIn))
            {
                failed.Add($"{r.Status} {r.Url}");
            }
        };
        var outside = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(baseUrl, StringComparison.Ordinal))
            {
                outside.Add(r.Url);
            }
        };

        await page.GotoAsync($"{baseUrl}/dashboard/");
        await Assertions.Expect(page.GetByTestId("login")).ToBeVisibleAsync();
        await page.GetByTestId("login-username").FillAsync("admin");
        await page.GetByTestId("login-password").FillAsync("错误的密码");
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("login-error")).ToHaveTextAsync("用户名或密码错误");
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("login")).ToBeHiddenAsync();
        loggedIn = true;
        await Assertions.Expect(page.GetByTestId("user")).ToHaveTextAsync("系统管理员");

        // The map starts at the top of the busiest domain's hierarchy (fire), drawn from the organization's GeoJSON.
        await Assertions.Expect(page.GetByTestId("map-hierarchy")).ToHaveValueAsync("fire");
        await Assertions.Expect(page.Locator($"#map-grids li[data-grid='{ids["C"]}']")).ToHaveTextAsync("示范县5/2", new() { Timeout = 15_000 });
        Assert.Equal("示范县", await page.EvaluateAsync<string>(MapNames));
        await Assertions.Expect(page.GetByTestId("board-open")).ToHaveTextAsync("5");
        await Assertions.Expect(page.GetByTestId("board-overdue")).ToHaveTextAsync("2");
        await Assertions.Expect(page.GetByTestId("board-listed")).ToHaveTextAsync("1");

        // Drill down: county → townships, named on the map, in the rankings, the chart and the indicator table.
        await page.Locator($"#map-grids li[data-grid='{ids["C"]}']").ClickAsync();
        await Assertions.Expect(page.Locator("#map-grids li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-count", "2");
        Assert.Equal("一镇,二镇", await page.EvaluateAsync<string>(MapNames));
        await Assertions.Expect(page.Locator($"#map-grids li[data-grid='{ids["T1"]}']")).ToHaveClassAsync("overdue");
        await Assertions.Expect(page.Locator($"#map-grids li[data-grid='{ids["T2"]}']")).ToHaveClassAsync("open");
        await Assertions.Expect(page.GetByTestId("map-crumbs")).ToContainTextAsync("示范县");

        // This month's indicators: 一镇 closed two cases this month, both on time (one well before its deadline).
        var t1Indicators = page.Locator($"#indicators tr[data-key='{ids["T1"]}']");
        await Assertions.Expect(t1Indicators.Locator("td").Nth(0)).ToHaveTextAsync("一镇");
        var dueT1 = int.Parse(await t1Indicators.Locator("td").Nth(1).InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(dueT1 >= 2, $"一镇 due this month: {dueT1}");
        await Assertions.Expect(t1Indicators.Locator("td").Nth(3)).ToHaveTextAsync("2");
        Assert.Contains("一镇", await page.EvaluateAsync<string>("() => echarts.getInstanceByDom(document.getElementById('chart')).getOption().xAxis[0].data.join(',')"));
        var t1Rank = page.Locator($"#ranking tr[data-key='{ids["T1"]}']");
        await Assertions.Expect(t1Rank.Locator("td").Nth(1)).ToHaveTextAsync("一镇");
        Assert.NotEqual("0 分", await t1Rank.Locator("td").Nth(2).InnerTextAsync());
        await Assertions.Expect(page.Locator("#dept-ranking")).ToContainTextAsync("市场监管所");
        var shown = await page.GetByTestId("rankings-grid").InnerTextAsync() + await page.GetByTestId("indicators-table").InnerTextAsync()
            + await page.GetByTestId("cases-board").InnerTextAsync();
        Assert.DoesNotContain(ids["T1"], shown);
        Assert.DoesNotContain(ids["T2"], shown);

        // The overdue board lists the overdue cases of the scope, by grid name.
        await Assertions.Expect(page.Locator("#board tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("cases-board")).ToContainTextAsync("FIRE-OVERDUE");
        await Assertions.Expect(page.GetByTestId("cases-board")).ToContainTextAsync("东村");

        // A case event arrives through the broker: the live feed, the counts and the map update without a reload;
        // another county's event does not reach this page.
        await Assertions.Expect(page.Locator("#feed-status.on")).ToHaveCountAsync(1);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(messaging.Replace("amqp://", "rabbitmq://"))));
        await bus.StartAsync();
        try
        {
            var reported = new CaseScript(Domains.Fire, [ids["C"], ids["T2"], ids["T2V1"]], "FIRE-LIVE", "电气", "楼道内电动车充电").Reported(DateTimeOffset.UtcNow.ToString("O"));
            await bus.Publish((CaseReported)reported.Events[0]);
        }
        finally
        {
            await bus.StopAsync();
        }

        await Assertions.Expect(page.Locator("#feed li[data-case='FIRE-LIVE']")).ToContainTextAsync("楼道内电动车充电 · 南村", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("board-open")).ToHaveTextAsync("6");
        await Assertions.Expect(page.Locator($"#map-grids li[data-grid='{ids["T2"]}']")).ToHaveTextAsync("二镇3/0");

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard.png"), FullPage = true });

        // Down to the villages of 一镇 and back to the top through the breadcrumbs.
        await page.Locator($"#map-grids li[data-grid='{ids["T1"]}']").ClickAsync();
        await Assertions.Expect(page.Locator($"#map-grids li[data-grid='{ids["T1V1"]}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#map-grids li")).ToHaveCountAsync(2);
        Assert.Equal("东村,西村", await page.EvaluateAsync<string>(MapNames));
        await Assertions.Expect(page.Locator("#crumbs a")).ToHaveCountAsync(3);
        await page.ClickAsync("#crumbs a[data-level='0']");
        await Assertions.Expect(page.Locator($"#map-grids li[data-grid='{ids["C"]}']")).ToHaveCountAsync(1);
        Assert.Empty(errors);
        Assert.Empty(failed);
        Assert.Empty(outside);
    }

    static async Task<string> TokenAsync(HttpClient org, string user, string password)
    {
        using var r = await org.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = user,
            ["password"] = password,
        }));
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    /// <summary>
    /// A small live situation in two townships: overdue, escalated, listed and open cases, and two closed on time this
    /// month — one of them long before its deadline, which counts in the month it was closed.
    /// </summary>
    static async Task SeedAsync(Infrastructure.ReadModelProjector? projector, Dictionary<string, string> ids)
    {
        ArgumentNullException.ThrowIfNull(projector);
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.ToOffset(TimeSpan.FromHours(8)).Year, now.ToOffset(TimeSpan.FromHours(8)).Month, 1, 0, 0, 0, TimeSpan.FromHours(8));

        // Hours ago, but never before this month began (in China time), so the closes fall in this month on any day.
        string At(double hoursAgo) => now.AddHours(-hoursAgo).ToString("O");
        string InMonth(double hoursAgo) => (now.AddHours(-hoursAgo) < monthStart ? monthStart.AddMinutes(hoursAgo) : now.AddHours(-hoursAgo)).ToString("O");
        string[] t1v1 = [ids["C"], ids["T1"], ids["T1V1"]];
        string[] t1v2 = [ids["C"], ids["T1"], ids["T1V2"]];
        string[] t2v2 = [ids["C"], ids["T2"], ids["T2V2"]];
        var scripts = new[]
        {
            new CaseScript(Domains.Fire, t1v1, "FIRE-OVERDUE", "九小场所", "疏散通道堵塞").Reported(At(80)).Accepted(At(79), At(10))
                .Dispatched(At(78), "消防大队", At(10)).Breached(At(10)),
            new CaseScript(Domains.Fire, t1v2, "FIRE-MAJOR", "三合一场所", "重大火灾隐患").Reported(At(30)).Accepted(At(29), At(-48))
                .Escalated(At(28), EscalationReasons.Major, ids["C"]).Breached(At(2), "verify"),
            new CaseScript(Domains.Labor, t2v2, "LAB-WAGE", "欠薪", "拖欠农民工工资").Reported(At(5)).Accepted(At(4), At(-72))
                .Dispatched(At(3), "人社局", At(-72)),
            new CaseScript(Domains.Drugs, t1v1, "DRUG-DONE", "药房检查", "药品储存温度不达标").Reported(At(50)).Accepted(At(49), At(-240))
                .Dispatched(At(48), "市场监管所", At(-240)).Handled(InMonth(0.5)).Verified(InMonth(0.4)).Closed(InMonth(0.3), onTime: true, reportedAt: At(50)),
            new CaseScript(Domains.Fire, t1v2, "FIRE-DONE", "消防检查", "灭火器过期").Reported(At(6)).Accepted(At(5), At(-120))
                .Dispatched(At(5), "消防大队", At(-120)).Handled(InMonth(0.2)).Verified(InMonth(0.15)).Closed(InMonth(0.1), onTime: true, reportedAt: At(6)),
            new CaseScript(Domains.Environment, t1v2, "ENV-OPEN", "污染", "夜间排污").Reported(At(2)),
            new CaseScript(Domains.Fire, t2v2, "FIRE-OPEN", "电气", "线路老化").Reported(At(1)),
        };
        foreach (var e in scripts.SelectMany(s => s.Events))
        {
            await projector.ApplyAsync(e);
        }
    }
}
