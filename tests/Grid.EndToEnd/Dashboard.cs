using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Grid.EndToEnd;

/// <summary>The command-centre page in headless Chromium (Debian's), opened at the gateway and logged in through its form.</summary>
public sealed partial class Dashboard : IAsyncDisposable
{
    static readonly BrowserTypeLaunchOptions Launch = new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    };

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Dashboard(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.PageError += (_, e) => Errors.Add(e);
        page.Request += (_, r) => RequestUrls.Add(r.Url);
    }

    public IPage Page { get; }

    /// <summary>Every URL the page asked for (a token must never be one's part: URLs end up in logs and history).</summary>
    public System.Collections.Concurrent.ConcurrentBag<string> RequestUrls { get; } = [];

    /// <summary>Script errors the page raised.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<Dashboard> LogInAsync(AssembledSuite suite, string userName)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(Launch);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions
        {
            ViewportSize = new ViewportSize { Width = 1600, Height = 1100 },
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
        });
        var dashboard = new Dashboard(playwright, browser, page);
        await page.GotoAsync(new Uri(suite.Gateway, "/dashboard/").ToString());
        await Assertions.Expect(page.Locator("#login-form")).ToBeVisibleAsync();
        await page.FillAsync("#username", userName);
        // The page's log-in shares the token route's per-client limit with the rest of the run: a 429 is waited out as
        // its Retry-After says, as a person would try again.
        for (var attempt = 1; ; attempt++)
        {
            // The password stays in the field only until the form is sent: a failed assertion prints the page's fields.
            await page.FillAsync("#password", suite.DemoPassword);
            var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#login-submit"), r => r.Url.Contains("/api/org/v1/token", StringComparison.Ordinal));
            await page.EvalOnSelectorAsync("#password", "e => { e.value = ''; }");
            if (response.Status != 429 || attempt > 3)
            {
                break;
            }

            var asked = int.TryParse(await response.HeaderValueAsync("retry-after"), out var seconds) ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            await Task.Delay(DemoUser.RetryAfter(asked));
        }

        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#login-error")).ToBeEmptyAsync();
        return dashboard;
    }

    /// <summary>Shows one hierarchy's grids on the map, as a user picks it in the select above the map; waits for them to be drawn.</summary>
    public async Task ShowHierarchyAsync(string hierarchy)
    {
        await Page.SelectOptionAsync("#hierarchy", hierarchy);
        // The list of the hierarchy chosen, not the one the page showed before it (still visible until the new one loads).
        await Assertions.Expect(Page.Locator($"#map-grids[data-hierarchy='{hierarchy}'] li[data-grid]").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    /// <summary>Drills into the first grid of the list under the map (the top grid of the hierarchy); returns once the page shows its children and their board.</summary>
    public async Task DrillIntoFirstGridAsync()
    {
        var title = await Page.Locator("#map-grids li[data-grid]").First.GetAttributeAsync("title") ?? "";
        var name = title[..Math.Max(0, title.IndexOf(':', StringComparison.Ordinal))];
        await Page.Locator("#map-grids li[data-grid]").First.ClickAsync();
        // The breadcrumb is drawn after the board, map, indicators and rankings of the grid have loaded.
        await Assertions.Expect(Page.Locator("#crumbs a[data-level='1']")).ToHaveTextAsync(name, new() { Timeout = 30_000 });
    }

    /// <summary>The names of the regions the ECharts map draws (its map series' data).</summary>
    public async Task<IReadOnlyList<string>> MapNamesAsync() =>
        await Page.EvaluateAsync<string[]>(
            "() => { const c = echarts.getInstanceByDom(document.getElementById('map')); const s = c && c.getOption().series; return s && s.length ? s[0].data.map(d => d.name) : []; }");

    /// <summary>The open cases the map shows over all its grids (each listed grid's title: "name: 在办 N, 超期 M").</summary>
    public async Task<int> OpenOnMapAsync()
    {
        var titles = await Page.Locator("#map-grids li[data-grid]").EvaluateAllAsync<string[]>("els => els.map(e => e.title)");
        return titles.Sum(t => int.Parse(OpenCount().Match(t).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task ScreenshotAsync(string name)
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [GeneratedRegex(@"在办 (\d+)")]
    private static partial Regex OpenCount();

    /// <summary>A UUID anywhere in text: the page names grids and departments, it never shows their ids.</summary>
    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    public static partial Regex Uuid();
}
