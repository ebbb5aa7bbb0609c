using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;

namespace Grid.Foundation.Tests;

/// <summary>A service started the way the AppHost starts it: its own process, configuration by Aspire's conventions (drugs, with its database, broker and cache).</summary>
public class ServiceProcessTests
{
    [Fact]
    public async Task A_service_process_reports_its_dependencies_healthy_and_requires_a_token()
    {
        var infra = await GridInfrastructure.GetAsync();
        var root = ProjectProcess.RepoRoot;
        var dir = Directory.CreateTempSubdirectory("grid-svc-").FullName;
        var builder = DistributedApplication.CreateBuilder(dir, root, "Debug");
        var port = FreePort.Next();
        var drugs = builder.AddProject("drugs", "services/Grid.DrugSupply")
            .WithHttpEndpoint(port)
            .WithEnvironment("ConnectionStrings__drugsdb", await infra.CreateDatabaseAsync("svc"))
            .WithEnvironment("ConnectionStrings__messaging", await infra.CreateVirtualHostAsync("svc"))
            .WithEnvironment("ConnectionStrings__cache", infra.RedisConnectionString)
            .WithEnvironment("Identity__SigningKey", TestTokens.SigningKey);
        var app = builder.Build();
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using var health = await http.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            var entries = report.RootElement.GetProperty("entries");
            Assert.Equal("Healthy", entries.GetProperty("postgres").GetProperty("status").GetString());
            Assert.Equal("Healthy", entries.GetProperty("redis").GetProperty("status").GetString());

            using var anonymous = await http.GetAsync("/api/drugs/v1/about");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

            using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/drugs/v1/about");
            forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                TestTokens.Create("mallory", ["admin"], signingKey: Convert.ToBase64String(new byte[48])));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);

            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/drugs/v1/about");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Admin());
            request.Headers.Add("X-Correlation-Id", "probe-42");
            using var ok = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("probe-42", ok.Headers.GetValues("X-Correlation-Id").Single());
        }
        finally
        {
            await app.StopAsync();
        }

        Assert.NotNull(drugs.ExitCode);
        Assert.False(FreePort.IsListening(port));
        // The caller's correlation id is in the service's own log line for that request.
        var log = await File.ReadAllLinesAsync(drugs.LogPath);
        Assert.Contains(log, l => l.Contains("CorrelationId:probe-42") && l.Contains("/api/drugs/v1/about -> 200"));
    }
}
