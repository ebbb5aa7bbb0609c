using System.Net;
using System.Text.Json;
using Grid.Contracts.Organization.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Grid.EndToEnd;

/// <summary>Every part of the assembled suite answers where a user reaches it: the gateway's HTTP and gRPC ports.</summary>
[Collection(SuiteCollection.Name)]
public class SmokeTests(AssembledSuite suite)
{
    static readonly string[] Services = ["organization", "fire", "environment", "labor", "drugs", "cadre", "command"];

    [Fact]
    public async Task The_gateway_reports_every_back_end_healthy()
    {
        using var http = new HttpClient { BaseAddress = suite.Gateway };
        using var resp = await http.GetAsync("/health");
        var body = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.OK, body);
        var entries = JsonDocument.Parse(body).RootElement.GetProperty("entries");
        foreach (var service in Services)
        {
            Assert.True(entries.TryGetProperty(service, out var entry), $"no health entry for {service}: {body}");
            Assert.Equal("Healthy", entry.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Every_service_publishes_its_openapi_document_at_the_gateway()
    {
        using var http = new HttpClient { BaseAddress = suite.Gateway };
        foreach (var service in Services)
        {
            using var resp = await http.GetAsync($"/openapi/{service}.json");
            var body = await resp.Content.ReadAsStringAsync();
            Assert.True(resp.StatusCode == HttpStatusCode.OK, $"{service}: {(int)resp.StatusCode} {body}");
            var doc = JsonDocument.Parse(body).RootElement;
            Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
            Assert.NotEmpty(doc.GetProperty("paths").EnumerateObject());
        }
    }

    [Fact]
    public async Task ResolveGridByPoint_answers_through_the_gateways_grpc_port_with_a_users_token_and_refuses_without()
    {
        using var admin = await DemoUser.LogInAsync(suite, "county-admin");
        using var channel = GrpcChannel.ForAddress(suite.GatewayGrpc);
        var client = new Organization.OrganizationClient(channel);
        var request = new ResolveGridByPointRequest { Hierarchy = "fire", Longitude = 113.05, Latitude = 34.55 };

        var grid = await client.ResolveGridByPointAsync(request, new Metadata { { "authorization", "Bearer " + admin.Token } });
        Assert.StartsWith("XF-", grid.Code);
        Assert.False(string.IsNullOrEmpty(grid.Name));

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.ResolveGridByPointAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }
}
