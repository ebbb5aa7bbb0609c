using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using Grid.Organization.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace Grid.Organization.Tests;

/// <summary>
/// Tokens as the organization service issues them (RS256): a person's posts travel together, a service client
/// holds only the posts configured for it, a token of many posts still fits a header, and password guessing
/// is slowed per account.
/// </summary>
public sealed class PostTokenTests(OrgHost host, ITestOutputHelper output) : IClassFixture<OrgHost>
{
    private readonly HttpClient _anonymous = host.Factory.CreateClient();

    private Task<HttpResponseMessage> TokenAsync(params (string, string)[] form) =>
        _anonymous.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));

    private static async Task<string> AccessTokenOf(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    private static ClaimsPrincipal Principal(string token) => new(new ClaimsIdentity(new JsonWebToken(token).Claims, "test"));

    private async Task<string> PasswordAccountAsync(string username, params (string Grid, string Role, string Domain)[] posts)
    {
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        var r = await host.Admin.PostAsJsonAsync("/api/org/v1/staff", new
        {
            name = username,
            phone = "13900000001",
            username,
            password,
            assignments = posts.Select(p => new { gridId = host.Ids[p.Grid], role = p.Role, domain = p.Domain }).ToArray(),
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return password;
    }

    [Fact]
    public async Task A_fire_chief_in_one_village_and_environment_worker_in_another_gets_two_posts_not_four()
    {
        var username = "two-posts-" + Guid.NewGuid().ToString("N")[..6];
        var password = await PasswordAccountAsync(username, ("A1", "grid-chief", "fire"), ("A2", "grid-worker", "environment"));
        var token = await AccessTokenOf(await TokenAsync(("grant_type", "password"), ("username", username), ("password", password)));
        Assert.Equal("RS256", new JsonWebToken(token).Alg);

        var user = Principal(token);
        string[] a1 = [host.Ids["C"].ToString(), host.Ids["A"].ToString(), host.Ids["A1"].ToString()];
        string[] a2 = [host.Ids["C"].ToString(), host.Ids["A"].ToString(), host.Ids["A2"].ToString()];
        Assert.True(user.Allows(["grid-chief"], "fire", a1));
        Assert.True(user.Allows(["grid-worker"], "environment", a2));
        Assert.False(user.Allows(["grid-chief"], "environment", a2));
        Assert.False(user.Allows(["grid-chief"], "environment", a1));
        Assert.False(user.Allows(["grid-chief"], "fire", a2));
        Assert.False(user.Allows(["grid-worker"], "environment", a1));
    }

    [Fact]
    public async Task A_service_client_holds_only_its_configured_posts_and_none_by_default()
    {
        var fire = Principal(await AccessTokenOf(await TokenAsync(("grant_type", "client_credentials"), ("client_id", "fire-service"), ("client_secret", host.ClientSecret))));
        Assert.Equal([new GridPost("service", "comprehensive", "*")], fire.Posts());
        var bareToken = await AccessTokenOf(await TokenAsync(("grant_type", "client_credentials"), ("client_id", "bare-service"), ("client_secret", host.ClientSecret)));
        Assert.Empty(Principal(bareToken).Posts());
        var laborToken = await AccessTokenOf(await TokenAsync(("grant_type", "client_credentials"), ("client_id", "labor-service"), ("client_secret", host.ClientSecret)));

        // The grids here are comprehensive ones: labor's client and a client with no posts are refused them.
        foreach (var token in new[] { bareToken, laborToken })
        {
            var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await host.Grpc(token).GetGridAsync(new GetGridRequest { Code = host.Code("A") }));
            Assert.Equal(global::Grpc.Core.StatusCode.NotFound, refused.StatusCode);
        }
    }

    [Fact]
    public void A_token_of_fifty_posts_fits_a_request_header()
    {
        var issuer = host.Factory.Services.GetRequiredService<TokenIssuer>();
        string[] roles = ["grid-chief", "grid-worker", "supervisor", "leader-in-charge", "liaison"];
        string[] domains = ["fire", "environment", "labor", "drugs", "cadre", "comprehensive"];
        var posts = Enumerable.Range(0, 50).Select(i => new GridPost(roles[i % roles.Length], domains[i % domains.Length], Guid.NewGuid().ToString())).ToList();
        var token = issuer.Issue(Guid.NewGuid().ToString(), "五十岗位", posts).access_token;
        var header = "Authorization: Bearer " + token;
        output.WriteLine($"50 posts: token {token.Length} characters, header {header.Length} bytes; one post: {issuer.Issue("x", "x", posts.Take(1)).access_token.Length} characters");
        Assert.Equal(posts, Principal(token).Posts());
        Assert.True(header.Length < 8 * 1024, $"header of {header.Length} bytes");
    }

    [Fact]
    public async Task Repeated_wrong_passwords_for_one_account_are_answered_429_with_retry_after_even_with_the_right_one()
    {
        var username = "guessed-" + Guid.NewGuid().ToString("N")[..6];
        var password = await PasswordAccountAsync(username, ("A1", "grid-worker", "comprehensive"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(("grant_type", "password"), ("username", username), ("password", "wrong-" + i))).StatusCode);
        }

        var throttled = await TokenAsync(("grant_type", "password"), ("username", username), ("password", password));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 900);
        Assert.DoesNotContain("access_token", await throttled.Content.ReadAsStringAsync());
    }
}
