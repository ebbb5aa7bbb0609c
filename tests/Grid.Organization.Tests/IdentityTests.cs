using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using Grid.Organization.Identity;
using Grid.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Organization.Tests;

public sealed class IdentityTests(OrgHost host) : IClassFixture<OrgHost>
{
    private async Task<(Guid Id, string Password)> CreateAccountAsync(string username)
    {
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        var r = await host.Admin.PostAsJsonAsync("/api/org/v1/staff", new
        {
            name = "周管理员",
            phone = "13900000000",
            username,
            password,
            systemRoles = new[] { "org-admin" },
            scopeGrids = new[] { host.Ids["A"] },
            assignments = new[] { new { gridId = host.Ids["A"], role = "grid-chief", domain = "comprehensive" } },
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        Assert.DoesNotContain("pbkdf2", await r.Content.ReadAsStringAsync());
        return ((await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>(), password);
    }

    private readonly HttpClient _anonymous = host.Factory.CreateClient();

    private Task<HttpResponseMessage> TokenAsync(params (string, string)[] form)
    {
        return _anonymous.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
    }

    [Fact]
    public async Task A_staff_password_grant_issues_an_rs256_token_with_the_grid_claims_that_the_service_accepts()
    {
        var (id, password) = await CreateAccountAsync("zhou");
        var r = await TokenAsync(("grant_type", "password"), ("username", "zhou"), ("password", password));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var token = (await r.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();

        var jwt = new JsonWebToken(token);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("grid-organization", jwt.Issuer);
        Assert.Equal(["grid"], jwt.Audiences);
        Assert.Equal(id.ToString(), jwt.Subject);
        var posts = new ClaimsPrincipal(new ClaimsIdentity(jwt.Claims)).Posts();
        Assert.Equal([new GridPost("org-admin", "*", host.Ids["A"].ToString()), new GridPost("grid-chief", "comprehensive", host.Ids["A"].ToString())], posts);
        Assert.DoesNotContain(jwt.Claims, c => c.Type is "role" or "domain" or "grid");

        using var anonymous = host.Factory.CreateClient();
        var jwks = await anonymous.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json");
        var key = Assert.Single(jwks!["keys"]!.AsArray());
        Assert.Equal(jwt.Kid, key!["kid"]!.GetValue<string>());
        Assert.Null(key["d"]); // public part only

        using var client = host.Factory.CreateClient(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/org/v1/grids/{host.Ids["A1"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/org/v1/grids/{host.Ids["B"]}")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_or_unknown_user_gets_no_token()
    {
        await CreateAccountAsync("wuqing");
        var r = await TokenAsync(("grant_type", "password"), ("username", "wuqing"), ("password", "wrong-password"));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.DoesNotContain("access_token", await r.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(("grant_type", "password"), ("username", "nobody"), ("password", "whatever-123"))).StatusCode);
        await Problems.AssertNamesFieldAsync(await TokenAsync(("grant_type", "password"), ("username", "wuqing")), HttpStatusCode.BadRequest, "password");
        await Problems.AssertNamesFieldAsync(await TokenAsync(("grant_type", "implicit")), HttpStatusCode.BadRequest, "grant_type");
    }

    [Fact]
    public async Task A_service_client_gets_a_token_by_client_credentials_and_may_call_grpc()
    {
        var r = await TokenAsync(("grant_type", "client_credentials"), ("client_id", "fire-service"), ("client_secret", host.ClientSecret));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var token = (await r.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        var grid = await host.Grpc(token).GetGridAsync(new GetGridRequest { Code = host.Code("A") });
        Assert.Equal(host.Ids["A"].ToString(), grid.Id);

        var wrong = await TokenAsync(("grant_type", "client_credentials"), ("client_id", "fire-service"), ("client_secret", "guess"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task A_service_calls_grpc_with_its_own_client_credentials_token_and_without_them_is_refused()
    {
        Contracts.Organization.V1.Organization.OrganizationClient ClientWith(params (string Key, string Value)[] settings)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(
                settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))
                    .Append(new("Identity:TokenUrl", new Uri(host.Factory.Server.BaseAddress, "/api/org/v1/token").ToString()))).Build());
            services.AddHttpClient(ServiceTokenSource.TokenClient).ConfigurePrimaryHttpMessageHandler(() => host.Factory.Server.CreateHandler());
            services.AddGrpcClient<Contracts.Organization.V1.Organization.OrganizationClient>(o => o.Address = host.Factory.Server.BaseAddress)
                .ConfigurePrimaryHttpMessageHandler(() => host.Factory.Server.CreateHandler())
                .AddServiceToken();
            return services.BuildServiceProvider().GetRequiredService<Contracts.Organization.V1.Organization.OrganizationClient>();
        }

        var service = ClientWith(("Identity:ClientId", "fire-service"), ("Identity:ClientSecret", host.ClientSecret));
        Assert.Equal(host.Ids["A"].ToString(), (await service.GetGridAsync(new GetGridRequest { Code = host.Code("A") })).Id);
        Assert.Equal(host.Ids["A1"].ToString(), (await service.GetGridAsync(new GetGridRequest { Code = host.Code("A1") })).Id);

        var none = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await ClientWith().GetGridAsync(new GetGridRequest { Code = host.Code("A") }));
        Assert.Equal(global::Grpc.Core.StatusCode.Unauthenticated, none.StatusCode);

        var wrong = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await ClientWith(("Identity:ClientId", "fire-service"), ("Identity:ClientSecret", "guess")).GetGridAsync(new GetGridRequest { Code = host.Code("A") }));
        Assert.Contains("fire-service", wrong.ToString());
    }

    [Fact]
    public async Task A_token_signed_with_another_key_under_the_same_key_id_is_rejected()
    {
        var keys = host.Factory.Services.GetRequiredService<SigningKeyStore>();
        using var forger = RSA.Create(2048);
        var forged = Sign(new RsaSecurityKey(forger) { KeyId = keys.Current.KeyId }, TimeSpan.FromHours(1));
        var genuine = Sign(keys.Current, TimeSpan.FromHours(1));

        using var f = host.Factory.CreateClient(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
        using var g = host.Factory.CreateClient(genuine);
        Assert.Equal(HttpStatusCode.OK, (await g.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
        using var h = host.Factory.CreateClient(TestTokens.Create("admin", ["admin"], signingKey: Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))));
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        var keys = host.Factory.Services.GetRequiredService<SigningKeyStore>();
        using var expired = host.Factory.CreateClient(Sign(keys.Current, TimeSpan.FromMinutes(-5)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
        using var expiredHmac = host.Factory.CreateClient(TestTokens.Create("admin", ["admin"], lifetime: TimeSpan.FromMinutes(-5)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await expiredHmac.GetAsync($"/api/org/v1/grids/{host.Ids["A"]}")).StatusCode);
    }

    private static string Sign(SecurityKey key, TimeSpan life)
    {
        var now = DateTime.UtcNow;
        var start = life < TimeSpan.Zero ? now + life - TimeSpan.FromMinutes(10) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "grid-organization",
            Audience = "grid",
            Subject = new ClaimsIdentity([new Claim("sub", "admin"), new Claim(GridClaims.Posts, "admin@*:*")]),
            IssuedAt = start,
            NotBefore = start,
            Expires = now + life,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }
}
