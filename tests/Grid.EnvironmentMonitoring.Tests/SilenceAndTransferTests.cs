using System.Net.Http.Json;
using System.Text.Json;
using Grid.EnvironmentMonitoring.Infrastructure;
using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Grid.EnvironmentMonitoring.Tests;

public class SilenceAndTransferTests
{
    [Fact]
    public async Task A_silent_station_opens_one_case_per_silence()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await EnvironmentHost.StartAsync(clock, new()
        {
            ["Environment:Silence:SilentAfterMinutes"] = "120",
            ["Environment:Silence:CheckEverySeconds"] = "60",
        });
        var (_, _, st) = await host.AddStationAsync("ST-Q", GridTree.VillageA1, new { pollutant = "COD", kind = "Instant", limit = 100.0 });
        Task<long> Silences() => host.CountAsync("SELECT count(*) FROM environment.silences");
        Task<long> Cases() => host.CountAsync("SELECT count(*) FROM casework.cases WHERE category = 'silent-station'");

        // 119 minutes without data: a check at that time finds nothing silent.
        var watcher = host.Services.GetRequiredService<SilenceWatcher>();
        clock.Advance(TimeSpan.FromMinutes(119));
        Assert.Equal(0, await watcher.CheckAsync(CancellationToken.None));
        Assert.Equal(0, await Silences());

        // Past 120 minutes: silent once, with one case, however many checks follow.
        clock.Advance(TimeSpan.FromMinutes(2));
        await Wait.UntilAsync(async () => await Cases() == 1, TimeSpan.FromSeconds(60), "the silence case");
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(30));
            Assert.Equal(0, await watcher.CheckAsync(CancellationToken.None));
        }

        Assert.Equal(1, await Silences());
        Assert.Equal(1, await Cases());

        // A reading ends the silence; a new silence later is a new case.
        var push = await host.StationClient().PostAsJsonAsync("/api/environment/v1/readings:batch", new[] { EnvironmentHost.Row(st, "COD", 10, "mg/L", clock.GetUtcNow()) });
        Assert.True(push.IsSuccessStatusCode, await push.Content.ReadAsStringAsync());
        Assert.Equal(1, await host.CountAsync("SELECT count(*) FROM environment.silences WHERE ended_at IS NOT NULL"));
        clock.Advance(TimeSpan.FromMinutes(121));
        await Wait.UntilAsync(async () => await Cases() == 2, TimeSpan.FromSeconds(60), "the second silence case");
        Assert.Equal(2, await Silences());
    }

    /// <summary>A second service of domain fire: the shared case life cycle alone, as a fire service hosts it.</summary>
    private static async Task<WebApplication> StartFireAsync(string amqp, string organization)
    {
        var infra = await GridInfrastructure.GetAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:SigningKey"] = TestTokens.SigningKey,
            ["ConnectionStrings:firedb"] = await infra.CreateDatabaseAsync("fire"),
            ["ConnectionStrings:messaging"] = amqp,
            ["services:organization:grpc:0"] = organization,
        });
        builder.AddServiceDefaults();
        TestRunLog.Capture(builder.Logging, "fire");
        builder.AddCasework("fire");
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCaseworkApi();
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_fire_hazard_found_on_patrol_goes_to_fire_and_its_result_comes_back_and_fire_can_send_a_workshop_here()
    {
        await using var env = await EnvironmentHost.StartAsync();
        await using var fire = await StartFireAsync(env.Amqp, env.Tree.Address);
        var fireClient = fire.GetTestClient();
        fireClient.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Create("fire-chief", ["grid-chief"], ["fire"]));
        var admin = env.Admin();

        // Only a department with a case desk takes a transfer: the comprehensive grid is refused, nothing recorded.
        var nowhere = await admin.PostAsJsonAsync("/api/environment/v1/patrols", new
        {
            kind = "patrol",
            gridId = GridTree.VillageA1,
            person = "李四",
            problemFound = true,
            transferTo = "comprehensive",
            findings = "x",
        });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, nowhere.StatusCode);
        Assert.Contains("transferTo", await nowhere.Content.ReadAsStringAsync());
        Assert.Equal(0L, await Wait.ScalarAsync<long>(env.Database, "SELECT count(*) FROM environment.patrols"));

        // 巡查 finds a fire hazard: recorded, case opened here, transferred to fire.
        var patrol = await admin.PostAsJsonAsync("/api/environment/v1/patrols", new
        {
            kind = "patrol",
            gridId = GridTree.VillageA1,
            person = "李四",
            problemFound = true,
            transferTo = "fire",
            category = "fire-hazard",
            findings = "仓库堆放易燃物,消防通道堵塞",
        });
        Assert.True(patrol.IsSuccessStatusCode, await patrol.Content.ReadAsStringAsync());
        var caseId = (await patrol.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseId").GetGuid();

        JsonElement envCase = default;
        await Wait.UntilAsync(async () =>
        {
            envCase = await admin.GetFromJsonAsync<JsonElement>($"/api/environment/v1/cases/{caseId}");
            return envCase.GetProperty("transferCaseId").ValueKind == JsonValueKind.String;
        }, TimeSpan.FromSeconds(60), "fire accepting the transfer");
        Assert.Equal("transferred", envCase.GetProperty("state").GetString());
        var fireCaseId = envCase.GetProperty("transferCaseId").GetGuid();

        // Fire handles and closes its case.
        async Task Act(string step, object body)
        {
            var r = await fireClient.PostAsJsonAsync($"/api/fire/v1/cases/{fireCaseId}/{step}", body);
            Assert.True(r.IsSuccessStatusCode, $"{step}: {await r.Content.ReadAsStringAsync()}");
        }

        await Act("accept", new { });
        await Act("dispatch", new { assignee = "fire-worker" });
        await Act("start", new { });
        await Act("handle", new { result = "易燃物已清理,通道畅通" });
        await Act("verify", new { passed = true });
        await Act("close", new { });

        // The result comes back: the environment case continues (transfer resolved → handled).
        await Wait.UntilAsync(async () =>
        {
            envCase = await admin.GetFromJsonAsync<JsonElement>($"/api/environment/v1/cases/{caseId}");
            return envCase.GetProperty("state").GetString() == "handled";
        }, TimeSpan.FromSeconds(60), "the transfer result");

        // The other way: fire finds a polluting workshop and transfers it here; environment opens its own case.
        var report = await fireClient.PostAsJsonAsync("/api/fire/v1/cases", new { category = "polluting-workshop", severity = "general", title = "小作坊偷排废水", source = "patrol", gridId = GridTree.VillageA2 });
        Assert.True(report.IsSuccessStatusCode, await report.Content.ReadAsStringAsync());
        var fromFire = (await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Act2(fireClient, fromFire, "accept", new { });
        await Act2(fireClient, fromFire, "transfer", new { targetDomain = "environment" });
        await Wait.UntilAsync(async () => await env.CountAsync("SELECT count(*) FROM casework.cases WHERE origin_domain = 'fire' AND origin_case_id = @fromFire", new { fromFire }) == 1,
            TimeSpan.FromSeconds(60), "environment's case for the workshop");
        await fire.StopAsync();
    }

    private static async Task Act2(HttpClient client, Guid id, string step, object body)
    {
        var r = await client.PostAsJsonAsync($"/api/fire/v1/cases/{id}/{step}", body);
        Assert.True(r.IsSuccessStatusCode, $"{step}: {await r.Content.ReadAsStringAsync()}");
    }
}
