extern alias gateway;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Grid.Organization.Identity;
using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Yarp.ReverseProxy.Forwarder;

namespace Grid.Organization.Tests;

/// <summary>
/// 密钥轮换 as users meet it: every request goes through the gateway (its YARP routes, token check at the edge) to the
/// organization service issuing RS256 tokens, or to a host wired as every Grid service is, both validating against the
/// organization's JWKS. Gateway, organization and service share one fake clock, so the overlap and the old key's end
/// come on cue; tokens are still checked for expiry in real time, ten minutes ahead of that clock.
/// </summary>
public sealed class RotationThroughGatewayTests : IAsyncLifetime
{
    private static readonly string Kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow.AddMinutes(-10));
    private GridServiceFactory<Program> _org = null!;
    private WebApplication _fire = null!;
    private GridServiceFactory<gateway::Program> _gateway = null!;

    public async Task InitializeAsync()
    {
        var infra = await GridInfrastructure.GetAsync();
        _org = SigningKeyTests.Organization(await infra.CreateDatabaseAsync("orgrotgw"), Kek, _clock);
        _fire = await JwksServiceHost.StartAsync(_org, _clock, "/api/fire/v1/whoami");
        var backends = new InProcessBackends(new() { ["organization"] = _org.Server, ["fire"] = _fire.GetTestServer() });
        _gateway = new GridServiceFactory<gateway::Program>()
            .WithSetting("Identity:SigningKey", null)
            .WithSetting("Identity:JwksUrl", "http://organization/.well-known/jwks.json")
            .WithSetting("Identity:JwksMinRefreshSeconds", "0")
            .WithSetting("Identity:JwksRefreshMinutes", "15")
            .WithSetting("services:organization:http:0", "http://organization")
            .WithSetting("services:fire:http:0", "http://fire")
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("Gateway:RateLimit:KeyPrefix", GridInfrastructure.UniqueName("gwrot") + ":")
            .WithServices(s =>
            {
                s.AddSingleton<TimeProvider>(_clock);
                s.AddHttpClient("jwks").ConfigurePrimaryHttpMessageHandler(() => _org.Server.CreateHandler());
                s.AddSingleton<IForwarderHttpClientFactory>(backends);
            });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _fire.DisposeAsync();
        await _org.DisposeAsync();
    }

    private HttpClient Gateway(string? token = null)
    {
        var client = _gateway.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private async Task<string> LoginAsync()
    {
        using var client = Gateway();
        using var r = await client.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(
            [new("grant_type", "password"), new("username", "admin"), new("password", SigningKeyTests.AdminPassword)]));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
    }

    /// <summary>The fire host's answer through the gateway: the token's subject, or the gateway's problem.</summary>
    private async Task<(HttpStatusCode Status, string Body)> FireAsync(string token)
    {
        using var client = Gateway(token);
        using var r = await client.GetAsync("/api/fire/v1/whoami");
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private static string Kid(string token) => new JsonWebToken(token).Kid;

    [Fact]
    public async Task Through_the_gateway_both_keys_pass_during_the_overlap_and_a_token_of_the_dropped_key_is_refused_at_the_edge()
    {
        var before = await LoginAsync();
        // The gateway and the service remember a validated token for up to a minute: each check uses a token not yet seen.
        var checkedLater = await LoginAsync();
        var oldKid = Kid(before);
        var subject = new JsonWebToken(before).Subject;
        Assert.Equal((HttpStatusCode.OK, subject), await FireAsync(before));

        using var admin = Gateway(before);
        using var rotated = await admin.PostAsync("/api/org/v1/identity/keys/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newKid = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!["kid"]!.GetValue<string>();
        Assert.NotEqual(oldKid, newKid);
        var duringOverlap = await LoginAsync();
        Assert.Equal(oldKid, Kid(duringOverlap));

        // Once the new key signs, the gateway and the service, whose copies of the set lack it, fetch it for its key
        // id; the old key's tokens still pass.
        _clock.Advance(TimeSpan.FromMinutes(10));
        var after = await LoginAsync();
        var afterCheckedLater = await LoginAsync();
        Assert.Equal(newKid, Kid(after));
        Assert.Equal((HttpStatusCode.OK, subject), await FireAsync(after));
        Assert.Equal((HttpStatusCode.OK, subject), await FireAsync(duringOverlap));

        // The old key's last token has expired on the organization's clock: the key leaves the set, and the gateway's
        // copy at its next refresh; a token it signed is refused at the edge for its key, not its age.
        _clock.Advance(TimeSpan.FromMinutes(16));
        await _org.Services.GetRequiredService<SigningKeyStore>().MaintainAsync();
        var (status, body) = await FireAsync(checkedLater);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("The token's signature is not valid.", JsonNode.Parse(body)!["detail"]!.GetValue<string>());
        // The new key's tokens still pass (one from when it began to sign: one issued now is not valid yet in real time).
        Assert.Equal((HttpStatusCode.OK, subject), await FireAsync(afterCheckedLater));
    }

    /// <summary>YARP's client to each back end replaced by the in-process server's handler, by cluster.</summary>
    private sealed class InProcessBackends(Dictionary<string, TestServer> servers) : IForwarderHttpClientFactory
    {
        public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context) => new(servers[context.ClusterId].CreateHandler());
    }
}
