using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Grid.EndToEnd;

/// <summary>
/// A person with one of the demo log-ins: their token from <c>/api/org/v1/token</c> at the gateway, what it
/// says they hold (their posts, <c>role@domain:grid</c>, as any client reads its own token) and an HTTP client carrying it.
/// </summary>
public sealed class DemoUser : IDisposable
{
    private DemoUser(string userName, string token, Uri gateway)
    {
        UserName = userName;
        Token = token;
        var jwt = new JsonWebToken(token);
        Name = jwt.Claims.FirstOrDefault(c => c.Type == "name")?.Value ?? userName;
        Posts = jwt.Claims.Where(c => c.Type == GridClaims.Posts)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(GridPost.Parse).OfType<GridPost>().ToList();
        Http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public string UserName { get; }

    public string Token { get; }

    public string Name { get; }

    public IReadOnlyList<GridPost> Posts { get; }

    /// <summary>The grids of the posts in one domain (never "*").</summary>
    public IEnumerable<string> GridsIn(string domain) => Posts.Where(p => p.Domain == domain && p.Grid != GridPost.Everywhere).Select(p => p.Grid).Distinct();

    public HttpClient Http { get; }

    /// <summary>Whether one post is this role in this very domain (not every domain), over the grid path when one is given.</summary>
    public bool Holds(string role, string domain, IEnumerable<string>? gridPath = null) =>
        Posts.Any(p => p.Role == role && p.Domain == domain && p.OnGrid(gridPath));

    public static async Task<DemoUser> LogInAsync(AssembledSuite suite, string userName)
    {
        var body = await TokenAsync(suite, new { grant_type = "password", username = userName, password = suite.DemoPassword }, $"log-in of {userName}");
        return new DemoUser(userName, JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!, suite.Gateway);
    }

    /// <summary>
    /// The token route as a well-behaved client uses it: the gateway allows it a few dozen times a minute per client, and
    /// when the run has used that up, the answer is 429 with Retry-After, which is honoured (up to three times).
    /// </summary>
    public static async Task<string> TokenAsync(AssembledSuite suite, object form, string what)
    {
        using var anonymous = new HttpClient { BaseAddress = suite.Gateway };
        for (var attempt = 1; ; attempt++)
        {
            using var resp = await anonymous.PostAsJsonAsync("/api/org/v1/token", form);
            var body = await resp.Content.ReadAsStringAsync();
            if (resp.IsSuccessStatusCode)
            {
                return body;
            }

            if (resp.StatusCode != System.Net.HttpStatusCode.TooManyRequests || attempt > 3)
            {
                throw new InvalidOperationException($"{what}: {(int)resp.StatusCode} {body}");
            }

            await Task.Delay(RetryAfter(resp.Headers.RetryAfter?.Delta));
        }
    }

    /// <summary>The wait a 429 asks for, a second more, at most a minute.</summary>
    public static TimeSpan RetryAfter(TimeSpan? asked) => TimeSpan.FromSeconds(Math.Min(60, (asked ?? TimeSpan.FromSeconds(10)).TotalSeconds + 1));

    /// <summary>Every demo log-in the organization service printed, logged in.</summary>
    public static async Task<IReadOnlyList<DemoUser>> EveryoneAsync(AssembledSuite suite) =>
        await Task.WhenAll(suite.DemoAccounts.Select(a => LogInAsync(suite, a)));

    public override string ToString() =>
        $"{UserName} ({Posts.Count} posts: {string.Join(" ", Posts.Take(3))}{(Posts.Count > 3 ? " …" : "")})";

    public void Dispose() => Http.Dispose();
}
