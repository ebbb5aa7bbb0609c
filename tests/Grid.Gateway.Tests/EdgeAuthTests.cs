using System.Net.Http.Headers;
using System.Security.Cryptography;
using Grid.Gateway.Tests.Support;
using Grid.Testing;

namespace Grid.Gateway.Tests;

/// <summary>Tokens are checked at the edge: a refused request never reaches a back end.</summary>
[Collection(GatewayCollection.Name)]
public class EdgeAuthTests(GatewaySuite suite)
{
    public static TheoryData<string, string?, string> BadTokens => new()
    {
        { "missing", null, "bearer token is required" },
        { "forged", TestTokens.Create("mallory", ["admin"], signingKey: Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))), "signature" },
        { "expired", TestTokens.Create("late", ["admin"], lifetime: TimeSpan.FromMinutes(-10)), "expired" },
        { "garbage", "not-a-jwt", "not valid" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_with_a_401_problem_and_the_back_end_never_sees_the_request(string kind, string? token, string reason)
    {
        var marker = Http.Marker();
        using var client = suite.Client(token);

        using var api = await client.GetAsync($"/api/fire/v1/hazards/{marker}");
        using var grpc = await client.PostAsync($"/grid.organization.v1.Organization/GetGrid?{marker}", new ByteArrayContent([]));

        var problem = await api.ProblemAsync(401);
        Assert.Contains(reason, problem.Str("detail"), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("Bearer", api.Headers.WwwAuthenticate.ToString());
        Assert.Equal(401, (int)grpc.StatusCode);
        Assert.Empty(suite.Echo.SeenWith(marker));
        _ = kind;
    }

    [Fact]
    public async Task A_real_service_behind_the_gateway_is_not_reached_without_a_token()
    {
        var marker = Http.Marker();
        using var client = suite.Client();

        using var response = await client.GetAsync($"/api/labor/v1/about?{marker}");

        await response.ProblemAsync(401);
        await Task.Delay(300);
        Assert.DoesNotContain(marker, suite.Labor.Log);
    }

    [Fact]
    public async Task Only_the_public_organization_paths_are_open_not_their_neighbours()
    {
        var marker = Http.Marker();
        using var client = suite.Client();

        using var grids = await client.GetAsync($"/api/org/v1/grids/{marker}");
        using var tokenSibling = await client.GetAsync($"/api/org/v1/tokens/{marker}");
        using var unknown = await client.GetAsync($"/internal/{marker}");

        await grids.ProblemAsync(401);
        await tokenSibling.ProblemAsync(401);
        await unknown.ProblemAsync(401);
        Assert.Empty(suite.Echo.SeenWith(marker));
    }

    [Fact]
    public async Task The_cadres_public_list_is_open_and_nothing_else_of_cadre_supervision_is()
    {
        var open = Http.Marker();
        var closed = Http.Marker();
        using var client = suite.Client();

        using var notice = await client.GetAsync($"/api/cadre/v1/public/grids/{open}/cadres");
        using var files = await client.GetAsync($"/api/cadre/v1/cadres?{closed}");
        using var write = await client.PostAsync($"/api/cadre/v1/public/grids/{closed}/cadres", null);

        Assert.True(notice.IsSuccessStatusCode, $"{(int)notice.StatusCode}");
        Assert.NotEmpty(suite.Echo.SeenWith(open));
        await files.ProblemAsync(401);
        Assert.NotEqual(System.Net.HttpStatusCode.OK, write.StatusCode);
        Assert.Empty(suite.Echo.SeenWith(closed));
    }

    [Fact]
    public async Task A_valid_token_passes_and_is_forwarded()
    {
        var marker = Http.Marker();
        var token = GatewaySuite.FreshToken();
        using var client = suite.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/cadre/v1/reports/{marker}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal($"Bearer {token}", Assert.Single(suite.Echo.SeenWith(marker)).Authorization);
    }
}
