using System.Diagnostics;
using System.Net;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>The suite under Aspire's AppHost: the operator's dashboard, and one crash that is not an outage.</summary>
[Collection(SuiteCollection.Name)]
public class AppHostTests(AssembledSuite suite)
{
    [Fact]
    public async Task The_dashboard_answers_behind_its_login_link()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true });
        using var anonymous = await http.GetAsync(suite.Dashboard.Url);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/login", anonymous.Headers.Location!.ToString());

        using var login = await http.GetAsync(suite.Dashboard.Login);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        using var page = await http.GetAsync(suite.Dashboard.Url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Aspire", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_service_killed_outright_is_restarted_while_the_gateway_keeps_serving_the_others()
    {
        var before = suite.ProcessOf("labor");
        using var direct = new HttpClient { BaseAddress = new Uri(suite.Addresses["labor"]["http"]), Timeout = TimeSpan.FromSeconds(5) };
        using var gateway = new HttpClient { BaseAddress = suite.Gateway };
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/health")).StatusCode);

        using (var kill = Process.Start("kill", ["-KILL", before.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var killed = Stopwatch.StartNew();
        await Wait.UntilAsync(() => Task.FromResult(!AssembledSuite.IsAlive(before)), TimeSpan.FromSeconds(10), "labor to be gone");
        // Meanwhile the gateway answers for every other service.
        foreach (var other in new[] { "fire", "environment", "command", "organization" })
        {
            using var resp = await gateway.GetAsync($"/openapi/{other}.json");
            Assert.True(resp.StatusCode == HttpStatusCode.OK, $"{other}: {(int)resp.StatusCode} while labor was down");
        }

        try
        {
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    return (await direct.GetAsync("/health")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "labor to be back healthy");
        }
        catch (TimeoutException e)
        {
            // What the run's logs go with: whether the AppHost saw the exit, and what of labor is still running.
            throw new TimeoutException($"{e.Message}\n{suite.Describe("labor")}", e);
        }

        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30), $"labor back after {killed.Elapsed}");
        Assert.NotEqual(before, suite.ProcessOf("labor"));
        // What an operator reads in the AppHost's log: the crash seen, and the restart it led to.
        Assert.Contains(AssembledSuite.ReadShared(Path.Combine(suite.StateDir, "apphost.log")).Split('\n'),
            line => line.Contains("labor went from Running to", StringComparison.Ordinal) && line.Contains("restart 1 of 5", StringComparison.Ordinal));
    }
}
