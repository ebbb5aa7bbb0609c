using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.Testing;
using Npgsql;

namespace Grid.Casework.Tests;

[Collection(CaseworkCollection.Name)]
public class CaseApiTests(CaseworkFixture fx) : IAsyncLifetime
{
    private CaseworkHost _host = null!;

    public async Task InitializeAsync()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_api");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_api");
        _host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object Report(string grid = GridTree.VillageA1, string severity = "general") =>
        new { category = "hazard", severity, title = "堵塞消防通道", description = "楼道堆放杂物", gridId = grid };

    [Fact]
    public async Task The_whole_life_cycle_with_rework_runs_over_http()
    {
        var chief = _host.Client(CaseworkHost.Chief());
        var worker = _host.Client(CaseworkHost.Worker());
        var c = await _host.ReportAsync(worker, Report());
        Assert.Equal("reported", c.State);
        Assert.Matches(@"^FIRE-\d{8}-\d{4}$", c.Number);
        Assert.Equal(GridTree.PathOf(GridTree.VillageA1), c.GridPath);

        Assert.Equal("accepted", (await _host.StepAsync(chief, c.Id, "accept")).State);
        Assert.Equal("dispatched", (await _host.StepAsync(chief, c.Id, "dispatch", new { assignee = "worker-village-a1" })).State);
        Assert.Equal("handling", (await _host.StepAsync(worker, c.Id, "start")).State);
        Assert.Equal("handled", (await _host.StepAsync(worker, c.Id, "handle", new { result = "已清理" })).State);
        var reopened = await _host.StepAsync(chief, c.Id, "verify", new { passed = false, reason = "仍有杂物" });
        Assert.Equal("reopened", reopened.State);
        Assert.Equal(1, reopened.ReopenCount);
        Assert.Equal("handling", (await _host.StepAsync(worker, c.Id, "start")).State);
        Assert.Equal("handled", (await _host.StepAsync(worker, c.Id, "handle", new { result = "全部清理" })).State);
        Assert.Equal("verified", (await _host.StepAsync(chief, c.Id, "verify", new { passed = true })).State);
        var closed = await _host.StepAsync(chief, c.Id, "close");
        Assert.Equal("closed", closed.State);
        Assert.Empty(closed.AllowedActions);

        // Each change put its event in the outbox in the same transaction.
        await using var conn = new NpgsqlConnection(_host.Database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT event_type FROM casework.outbox WHERE case_id = $1 ORDER BY seq", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = c.Id });
        var types = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) types.Add(r.GetString(0));
        }

        Assert.Equal(["CaseReported", "CaseAccepted", "CaseDispatched", "CaseHandled", "CaseReopened", "CaseHandled", "CaseVerified", "CaseClosed"], types);
    }

    [Theory]
    [InlineData("dispatch", "reported")]
    [InlineData("start", "reported")]
    [InlineData("handle", "reported")]
    [InlineData("close", "reported")]
    public async Task Illegal_steps_are_refused_with_409_naming_state_and_action(string step, string state)
    {
        var chief = _host.Client(CaseworkHost.Chief());
        var c = await _host.ReportAsync(chief, Report());
        var (status, body) = await _host.PostAsync(chief, c.Id, step, new { assignee = "x", result = "y" });
        Assert.Equal(409, status);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(state, doc.RootElement.GetProperty("currentState").GetString());
        Assert.Equal(step, doc.RootElement.GetProperty("action").GetString());
        Assert.Contains($"'{state}'", doc.RootElement.GetProperty("detail").GetString());
        Assert.Equal(state, (await _host.GetAsync(chief, c.Id)).State);
    }

    [Fact]
    public async Task A_closed_case_refuses_every_step()
    {
        var chief = _host.Client(CaseworkHost.Chief());
        var c = await _host.ReportAsync(chief, Report());
        await _host.StepAsync(chief, c.Id, "reject", new { reason = "重复上报" });
        foreach (var step in new[] { "accept", "reject", "dispatch", "start", "handle", "close", "escalate", "transfer" })
        {
            var (status, _) = await _host.PostAsync(chief, c.Id, step, new { reason = "r", assignee = "a", result = "r", targetDomain = "environment" });
            Assert.Equal(409, status);
        }

        var (vs, _) = await _host.PostAsync(chief, c.Id, "verify", new { passed = true });
        Assert.Equal(409, vs);
    }

    [Fact]
    public async Task Roles_domains_and_grid_scope_are_checked()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var c = await _host.ReportAsync(worker, Report(GridTree.CompoundA1X));
        Assert.Equal(403, (await _host.PostAsync(worker, c.Id, "accept")).Status);

        var otherTown = _host.Client(CaseworkHost.Chief(GridTree.TownB));
        Assert.Equal(403, (await _host.PostAsync(otherTown, c.Id, "accept")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherTown.GetAsync($"/api/fire/v1/cases/{c.Id}")).StatusCode);

        var ancestor = _host.Client(CaseworkHost.Chief(GridTree.TownA));
        Assert.Equal(200, (await _host.PostAsync(ancestor, c.Id, "accept")).Status);

        var labor = _host.Client(CaseworkHost.Chief(domain: "labor"));
        Assert.Equal(HttpStatusCode.Forbidden, (await labor.GetAsync($"/api/fire/v1/cases/{c.Id}")).StatusCode);

        using var noToken = Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestClient(_host.App);
        Assert.Equal(HttpStatusCode.Unauthorized, (await noToken.GetAsync($"/api/fire/v1/cases/{c.Id}")).StatusCode);

        // Lists show only the caller's subtree.
        await _host.ReportAsync(_host.Client(CaseworkHost.Chief()), Report(GridTree.VillageB1));
        var page = await otherTown.GetFromJsonAsync<CasePage>("/api/fire/v1/cases", CaseworkHost.Json);
        Assert.NotEmpty(page!.Items);
        Assert.All(page.Items, i => Assert.Contains(GridTree.TownB, i.GridPath));
    }

    [Fact]
    public async Task Bad_input_names_the_field_and_writes_nothing()
    {
        var chief = _host.Client(CaseworkHost.Chief());
        async Task<string> Bad(object body, string field)
        {
            using var resp = await chief.PostAsJsonAsync("/api/fire/v1/cases", body);
            var text = await resp.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
            using var doc = JsonDocument.Parse(text);
            Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
            return text;
        }

        await Bad(new { severity = "general", title = "t", gridId = GridTree.VillageA1 }, "category");
        await Bad(new { category = "c", severity = "apocalyptic", title = "t", gridId = GridTree.VillageA1 }, "severity");
        await Bad(new { category = "c", severity = "general", title = new string('x', 500), gridId = GridTree.VillageA1 }, "title");
        await Bad(new { category = "c", severity = "general", title = "t", gridId = "nowhere" }, "gridId");
        await Bad(new { category = "c", severity = "general", title = "t", longitude = 300, latitude = 10 }, "longitude");
        await Bad(new { category = "c", severity = "general", title = "t", longitude = 10.0, latitude = 10.0 }, "longitude");
        await Bad(new { category = "c", severity = "general", title = "t", gridId = GridTree.VillageA1, occurredAt = DateTimeOffset.UtcNow.AddHours(2) }, "occurredAt");
        await Bad(new { category = "c", severity = "general", title = "t", gridId = GridTree.VillageA1, occurredAt = DateTimeOffset.UtcNow.AddDays(-90) }, "occurredAt");
        await Bad(new { category = "c", severity = "general", title = "<script>", gridId = GridTree.VillageA1, reporter = new { name = "" } }, "reporter.name");

        using var malformed = await chief.PostAsync("/api/fire/v1/cases", new StringContent("{\"category\": 5,", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var c = await _host.ReportAsync(chief, Report());
        await _host.StepAsync(chief, c.Id, "accept");
        var (status, body) = await _host.PostAsync(chief, c.Id, "dispatch", new { department = "x" });
        Assert.Equal(400, status);
        Assert.Contains("assignee", body);
        var (vs, vbody) = await _host.PostAsync(chief, c.Id, "verify", new { });
        Assert.Equal(400, vs);
        Assert.Contains("passed", vbody);

        // A transfer goes only to a department with a case desk: the comprehensive grid has none (its workers
        // report to the departments), and an event for it could never be delivered.
        // Nor does a department that is not a domain, or the case's own domain.
        foreach (var target in new[] { "comprehensive", "fire", "police" })
        {
            var (ts, tbody) = await _host.PostAsync(chief, c.Id, "transfer", new { targetDomain = target });
            Assert.Equal(400, ts);
            Assert.Contains("targetDomain", tbody);
            Assert.Contains("the domains that can take one: environment, labor, drugs, cadre", tbody);
        }

        Assert.Equal(0L, await Wait.ScalarAsync<long>(_host.Database, "SELECT count(*) FROM casework.outbox WHERE event_type LIKE '%Transfer%'"));
        Assert.Equal("accepted", (await _host.GetAsync(chief, c.Id)).State);

        await using var conn = new NpgsqlConnection(_host.Database);
        await conn.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM casework.cases", conn);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Offline_reports_keep_their_device_time_and_idempotency_keys_return_the_same_case()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var deviceTime = DateTimeOffset.UtcNow.AddDays(-2).AddTicks(-(DateTimeOffset.UtcNow.Ticks % 10));
        var body = new { category = "hazard", severity = "general", title = "离线补报", gridId = GridTree.VillageA1, occurredAt = deviceTime };
        var first = await _host.ReportAsync(worker, body, "device-7-report-1");
        var again = await _host.ReportAsync(worker, body, "device-7-report-1");
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(deviceTime.ToUnixTimeMilliseconds(), first.OccurredAt.ToUnixTimeMilliseconds());
        Assert.True(first.ReceivedAt > first.OccurredAt.AddDays(1));
        var other = await _host.ReportAsync(worker, body, "device-7-report-2");
        Assert.NotEqual(first.Id, other.Id);
    }

    [Fact]
    public async Task Case_numbers_stay_unique_under_concurrent_reports()
    {
        var chief = _host.Client(CaseworkHost.Chief());
        var cases = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _host.ReportAsync(chief, Report())));
        Assert.Equal(40, cases.Select(c => c.Number).Distinct().Count());
        var seqs = cases.Select(c => int.Parse(c.Number[^4..])).OrderBy(x => x).ToList();
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
    }
}
