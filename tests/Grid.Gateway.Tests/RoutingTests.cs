using System.Net;
using Grid.Gateway.Tests.Support;
using Grid.Testing;

namespace Grid.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class RoutingTests(GatewaySuite suite)
{
    [Theory]
    [InlineData("/api/org/v1/grids", "organization")]
    [InlineData("/api/fire/v1/places", "fire")]
    [InlineData("/api/environment/v1/sources", "environment")]
    [InlineData("/api/cadre/v1/cadres", "cadre")]
    [InlineData("/api/command/v1/cases", "command")]
    public async Task Each_prefix_reaches_its_own_service_with_path_query_and_token_intact(string path, string service)
    {
        var marker = Http.Marker();
        var token = TestTokens.Admin();
        using var client = suite.Client(token);

        using var response = await client.GetAsync($"{path}/{marker}?page=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(suite.Echo.SeenWith(marker));
        Assert.Equal(service, seen.Service);
        Assert.Equal($"{path}/{marker}?page=2", seen.PathAndQuery);
        Assert.Equal($"Bearer {token}", seen.Authorization);
    }

    [Theory]
    [InlineData("/api/labor/v1/about", "labor")]
    [InlineData("/api/drugs/v1/about", "drugs")]
    public async Task Real_services_answer_through_the_gateway(string path, string service)
    {
        using var client = suite.Client(TestTokens.Admin());

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(service, (await response.JsonAsync()).Str("service"));
    }

    [Theory]
    [InlineData("labor")]
    [InlineData("drugs")]
    public async Task A_service_without_a_domain_yet_still_publishes_its_openapi_document_through_the_gateway(string service)
    {
        using var client = suite.Client();

        using var response = await client.GetAsync($"/openapi/{service}.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"openapi\"", doc);
        Assert.Contains($"/api/{service}/v1/about", doc);
    }

    [Fact]
    public async Task Public_routes_need_no_token_and_reach_the_right_service()
    {
        using var client = suite.Client();
        var marker = Http.Marker();

        using var notices = await client.GetAsync($"/api/org/v1/public/notices/{marker}");
        using var login = await client.PostAsync($"/api/org/v1/token?{marker}", new StringContent("{}"));
        using var jwks = await client.GetAsync($"/.well-known/jwks.json?{marker}");
        using var page = await client.GetAsync($"/dashboard/{marker}/index.html");
        using var openApi = await client.GetAsync($"/openapi/fire.json?{marker}");

        foreach (var r in new[] { notices, login, jwks, page, openApi })
        {
            Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage!.RequestUri} → {(int)r.StatusCode}");
        }

        var seen = suite.Echo.SeenWith(marker).ToDictionary(s => s.PathAndQuery.Split('?')[0], s => s);
        Assert.Equal("organization", seen[$"/api/org/v1/public/notices/{marker}"].Service);
        Assert.Equal("organization", seen["/api/org/v1/token"].Service);
        Assert.Equal("organization", seen["/.well-known/jwks.json"].Service);
        Assert.Equal("command", seen[$"/dashboard/{marker}/index.html"].Service);
        // Each service publishes /openapi/v1.json; the gateway renames it and keeps its own Host,
        // so the document's server URL points at the gateway.
        Assert.Equal("fire", seen["/openapi/v1.json"].Service);
        Assert.Equal($"127.0.0.1:{suite.Gateway.Port}", seen["/openapi/v1.json"].Host);
    }

    [Fact]
    public async Task Root_redirects_to_the_dashboard()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = suite.Gateway.Url };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task The_docs_page_lists_every_services_openapi_document()
    {
        using var client = suite.Client();

        using var response = await client.GetAsync("/docs/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.ToString());
        foreach (var service in new[] { "organization", "fire", "environment", "labor", "drugs", "cadre", "command" })
        {
            Assert.Contains($"/openapi/{service}.json", html);
        }
    }

    [Fact]
    public async Task Gateway_health_reports_each_back_end_by_name()
    {
        using var client = suite.Client();

        using var response = await client.GetAsync("/health");
        var report = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = report.GetProperty("entries");
        foreach (var service in new[] { "organization", "fire", "environment", "labor", "drugs", "cadre", "command" })
        {
            Assert.Equal("Healthy", entries.GetProperty(service).Str("status"));
        }

        Assert.Equal("Healthy", entries.GetProperty("ratelimit-redis").Str("status"));
    }
}
