using System.Net.Http.Json;
using Grid.Casework.Application;
using Grid.Casework.Messaging;
using Grid.Messaging;
using Grid.Testing;

namespace Grid.Casework.Tests;

/// <summary>移交 between two hosted services: two hosts, two databases, one virtual host.</summary>
[Collection(CaseworkCollection.Name)]
public class TransferTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_transfer_opens_a_case_in_the_target_domain_and_its_result_comes_back()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_transfer");
        await using var fire = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_tf"), mq, fx.Grids.Address);
        await using var env = await CaseworkHost.StartAsync("environment", await fx.Infra.CreateDatabaseAsync("cw_te"), mq, fx.Grids.Address);
        var fireChief = fire.Client(CaseworkHost.Chief());
        var envChief = env.Client(CaseworkHost.Chief());

        var origin = await fire.ReportAsync(fireChief, new { category = "smoke", severity = "serious", title = "工厂排放黑烟", longitude = 116.5, latitude = 39.9 });
        await fire.StepAsync(fireChief, origin.Id, "accept");
        var transferred = await fire.StepAsync(fireChief, origin.Id, "transfer", new { targetDomain = "environment", reason = "属环保职责" });
        Assert.Equal("transferred", transferred.State);

        // The environment service opened its own case (source transfer) and answered.
        CaseView? target = null;
        await Wait.UntilAsync(async () =>
        {
            var page = await envChief.GetFromJsonAsync<CasePage>("/api/environment/v1/cases", CaseworkHost.Json);
            target = page!.Items.FirstOrDefault(i => i.OriginCaseId == origin.Id);
            return target is not null;
        }, TimeSpan.FromSeconds(30), "the environment case");
        Assert.Equal("transfer", target!.Source);
        Assert.Equal("fire", target.OriginDomain);
        Assert.StartsWith("ENVIRONMENT-", target.Number);
        Assert.Equal(GridTree.CompoundA1X, target.GridId);

        await Wait.UntilAsync(async () => (await fire.GetAsync(fireChief, origin.Id)).TransferCaseNumber == target.Number,
            TimeSpan.FromSeconds(30), "CaseTransferAccepted at the origin");

        // The target works its case through its own life cycle and closes it.
        await env.StepAsync(envChief, target.Id, "accept");
        await env.StepAsync(envChief, target.Id, "dispatch", new { assignee = "env-officer-1" });
        await env.StepAsync(envChief, target.Id, "start");
        await env.StepAsync(envChief, target.Id, "handle", new { result = "责令停产整改，已复产达标" });
        await env.StepAsync(envChief, target.Id, "verify", new { passed = true });
        await env.StepAsync(envChief, target.Id, "close");

        // The origin case continues: Handled with the target's result, then verified and closed as usual.
        CaseView back = null!;
        await Wait.UntilAsync(async () => (back = await fire.GetAsync(fireChief, origin.Id)).State == "handled",
            TimeSpan.FromSeconds(30), "CaseTransferResult at the origin");
        Assert.Contains("责令停产整改", back.Result);
        Assert.Contains(target.Number, back.Result);
        await fire.StepAsync(fireChief, origin.Id, "verify", new { passed = true });
        Assert.Equal("closed", (await fire.StepAsync(fireChief, origin.Id, "close")).State);
    }

    [Fact]
    public async Task An_event_published_before_its_consumers_first_start_is_still_delivered()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_prestart");
        var fireDb = await fx.Infra.CreateDatabaseAsync("cw_pf");

        // The publisher starts alone and declares nothing: with mandatory publishing, unroutable events come
        // back and stay in its outbox instead of vanishing.
        await using var fire = await CaseworkHost.StartAsync("fire", fireDb, mq, fx.Grids.Address, configure: o => o.DeclareTopology = false);
        var chief = fire.Client(CaseworkHost.Chief());
        var c = await fire.ReportAsync(chief, new { category = "waste", severity = "general", title = "倾倒废渣", gridId = GridTree.VillageB1 });
        await fire.StepAsync(chief, c.Id, "accept");
        await fire.StepAsync(chief, c.Id, "transfer", new { targetDomain = "environment" });
        // The case's first event is returned; its later ones wait behind it (per-case order).
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(fireDb,
                "SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseReported' AND state = 0 AND last_error LIKE '%returned%'") == 1,
            TimeSpan.FromSeconds(30), "the relay to try and keep the unroutable event");
        Assert.Equal(0L, await Wait.ScalarAsync<long>(fireDb, "SELECT count(*) FROM casework.outbox WHERE state = 1"));
        Assert.Equal(1L, await Wait.ScalarAsync<long>(fireDb, "SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseTransferRequested' AND state = 0"));

        // The consumer's first start (its topology is declared) — the event published before still arrives.
        await using var env = await CaseworkHost.StartAsync("environment", await fx.Infra.CreateDatabaseAsync("cw_pe"), mq, fx.Grids.Address);
        var envChief = env.Client(CaseworkHost.Chief());
        await Wait.UntilAsync(async () =>
            (await envChief.GetFromJsonAsync<CasePage>("/api/environment/v1/cases", CaseworkHost.Json))!.Items.Any(i => i.OriginCaseId == c.Id),
            TimeSpan.FromSeconds(30), "the transfer to reach the environment service");
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(fireDb, "SELECT count(*) FROM casework.outbox WHERE state = 0") == 0,
            TimeSpan.FromSeconds(30), "the whole outbox to drain");
    }

    [Fact]
    public async Task The_definitions_file_is_the_declared_topology_and_routes_events_when_loaded()
    {
        var root = RepoRoot();
        var file = Path.Combine(root, "deploy", "rabbitmq", "definitions.json");
        if (Environment.GetEnvironmentVariable("GRID_UPDATE_DEFINITIONS") == "1")
        {
            await File.WriteAllTextAsync(file, CaseworkTopology.Definitions());
        }

        Assert.Equal(CaseworkTopology.Definitions(), (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\n"));

        // Every consumer AddCasework configures listens on a queue the file binds to its message type.
        var casework = CaseworkTopology.Subscriptions.Single(s => s.Queue == CaseworkTopology.CaseworkQueue("fire"));
        var consumed = typeof(Grid.Casework.IntegrationEvents.TransferRequestedConsumer).Assembly.GetTypes()
            .Where(t => t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(IdempotentConsumer<>))
            .Select(t => t.BaseType!.GetGenericArguments()[0]).ToHashSet();
        Assert.True(consumed.SetEquals(casework.Events));

        // Loaded into a fresh vhost through the management API, it makes a publish routable.
        var vhost = Grid.Testing.GridInfrastructure.UniqueName("cw_defs");
        var amqp = await Grid.LocalServers.RabbitMqServer.CreateVirtualHostAsync(fx.Infra.RabbitMqPort, fx.Infra.RabbitMqManagementPort, vhost);
        using var http = Grid.LocalServers.RabbitMqServer.ManagementClient(fx.Infra.RabbitMqManagementPort);
        using var resp = await http.PostAsync($"/api/definitions/{Uri.EscapeDataString(vhost)}",
            new StringContent(CaseworkTopology.Definitions(), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(resp.IsSuccessStatusCode, await resp.Content.ReadAsStringAsync());
        var queues = await http.GetStringAsync($"/api/queues/{Uri.EscapeDataString(vhost)}");
        foreach (var s in CaseworkTopology.Subscriptions)
        {
            Assert.Contains($"\"name\":\"{s.Queue}\"", queues);
        }

        var db = await fx.Infra.CreateDatabaseAsync("cw_defs");
        await using var fire = await CaseworkHost.StartAsync("fire", db, amqp, fx.Grids.Address, configure: o => o.DeclareTopology = false);
        await using var probe = await EventProbe.StartAsync(amqp, CaseworkTopology.CommandCentreQueue);
        var c = await fire.ReportAsync(fire.Client(CaseworkHost.Chief()), new { category = "c", severity = "general", title = "t", gridId = GridTree.TownA });
        await probe.WaitForAsync("CaseReported", m => m.GetProperty("caseId").GetGuid() == c.Id);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Grid.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Grid.sln not found above the test binaries");
    }
}
