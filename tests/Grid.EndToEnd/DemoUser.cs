using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Grid.EndToEnd;

/// <summary>
/// A person with one of the demo log-ins: their token from <c>/api/org/v1/token</c> at the gateway, what it
/// says they hold (roles, domains, grids — as any client reads its own token) and an HTTP client carrying it.
/// </summary>
public sealed class DemoUser : IDisposable
{
    private DemoUser(string userName, string token, Uri gateway)
    {
        UserName = userName;
        Token = token;
        var jwt = new JsonWebToken(token);
        Name = jwt.Claims.FirstOrDefault(c => c.Type == "name")?.Value ?? userName;
        Roles = jwt.Claims.Where(c => c.Type == "role").Select(c => c.Value).ToHashSet();
        Domains = jwt.Claims.Where(c => c.Type == "domain").Select(c => c.Value).ToHashSet();
        Grids = jwt.Claims.Where(c => c.Type == "grid").Select(c => c.Value).ToHashSet();
        Http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public string UserName { get; }

    public string Token { get; }

    public string Name { get; }

    public IReadOnlySet<string> Roles { get; }

    public IReadOnlySet<string> Domains { get; }

    public IReadOnlySet<string> Grids { get; }

    public HttpClient Http { get; }

    public bool HasDomain(string domain) => Domains.Contains(domain) || Domains.Contains("*");

    /// <summary>Whether the token's grid scope covers a case on this grid path (one of its grids or all).</summary>
    public bool Covers(IEnumerable<string> gridPath) => Grids.Contains("*") || gridPath.Any(Grids.Contains);

    public static async Task<DemoUser> LogInAsync(AssembledSuite suite, string userName)
    {
        using var anonymous = new HttpClient { BaseAddress = suite.Gateway };
        using var resp = await anonymous.PostAsJsonAsync("/api/org/v1/token",
            new { grant_type = "password", username = userName, password = suite.DemoPassword });
        var body = await resp.Content.ReadAsStringAsync();
        if (!resp.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"log-in of {userName}: {(int)resp.StatusCode} {body}");
        }

        return new DemoUser(userName, JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!, suite.Gateway);
    }

    /// <summary>Every demo log-in the organization service printed, logged in.</summary>
    public static async Task<IReadOnlyList<DemoUser>> EveryoneAsync(AssembledSuite suite) =>
        await Task.WhenAll(suite.DemoAccounts.Select(a => LogInAsync(suite, a)));

    public override string ToString() =>
        $"{UserName} (roles {string.Join(",", Roles)}; domains {string.Join(",", Domains)}; {Grids.Count} grids)";

    public void Dispose() => Http.Dispose();
}
