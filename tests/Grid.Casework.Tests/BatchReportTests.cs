using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>批量上报: several reports in one request, each with its own outcome, none lost or half-written.</summary>
[Collection(CaseworkCollection.Name)]
public class BatchReportTests(CaseworkFixture fx) : IAsyncLifetime
{
    private CaseworkHost _host = null!;

    public async Task InitializeAsync()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_batch");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_batch");
        _host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address,
            services: s => s.AddSingleton<ICaseworkHooks, FailingHooks>());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object Item(string title, string? key = null, string grid = GridTree.VillageA1, string severity = "general", DateTimeOffset? occurredAt = null) =>
        new { idempotencyKey = key, report = new { category = "hazard", severity, title, gridId = grid, occurredAt } };

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/fire/v1/cases/batch", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_host.Database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Each_report_of_a_batch_gets_its_own_outcome_and_only_the_good_ones_are_stored()
    {
        var worker = _host.Client(CaseworkHost.Worker(GridTree.TownA));
        var offline = DateTimeOffset.UtcNow.AddHours(-5);
        var (status, body) = await SendAsync(worker, new
        {
            reports = new object?[]
            {
                Item("楼道堆物", occurredAt: offline),
                new { report = new { category = "hazard", severity = "general", gridId = GridTree.VillageA1 } }, // no title
                null,
                Item("外镇的隐患", grid: GridTree.VillageB1),                                                       // outside the worker's scope
                Item("重大隐患", severity: "major"),
                Item("通道堵塞"),
            },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("created").GetInt32());
        Assert.Equal(3, body.GetProperty("refused").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([201, 400, 400, 403, 201, 201], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal([0, 1, 2, 3, 4, 5], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.True(results[1].GetProperty("problem").GetProperty("errors").TryGetProperty("title", out _));
        Assert.True(results[2].GetProperty("problem").GetProperty("errors").TryGetProperty("reports[2].report", out _));
        Assert.Contains("may report on this grid", results[3].GetProperty("problem").GetProperty("detail").GetString());

        // The device's time is kept; the major one went to the top of its chain at once; numbers are distinct.
        var cases = new[] { results[0], results[4], results[5] }.Select(r => r.GetProperty("case").Deserialize<CaseView>(CaseworkHost.Json)!).ToList();
        Assert.Equal(AuditChain.Truncate(offline), cases[0].OccurredAt);
        Assert.Equal("escalated", cases[1].State);
        Assert.Equal(GridTree.County, cases[1].HolderGridId);
        // Opened together in one transaction: consecutive numbers (a report taken again alone would take a new one).
        var sequence = cases.Select(c => int.Parse(c.Number[(c.Number.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([sequence[0], sequence[0] + 1, sequence[0] + 2], sequence);

        // Stored with their events and audit entries, and nothing of the refused ones.
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseReported'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseEscalated'"));
        var auditor = _host.Client(TestTokens.Create("auditor", ["auditor"], ["*"], ["*"]));
        var verified = await auditor.GetFromJsonAsync<AuditVerification>("/api/fire/v1/cases/audit/verify", CaseworkHost.Json);
        Assert.True(verified!.Valid);
        Assert.Equal(4, await CountAsync("SELECT count(*) FROM casework_audit.entries WHERE action IN ('report', 'escalate:major')"));
        var chief = _host.Client(CaseworkHost.Chief());
        foreach (var c in cases)
        {
            var stored = await _host.GetAsync(chief, c.Id);
            Assert.Equal((c.Number, c.State, c.HolderGridId), (stored.Number, stored.State, stored.HolderGridId));
            Assert.Equal(GridTree.PathOf(GridTree.VillageA1), stored.GridPath);
        }
    }

    [Fact]
    public async Task A_batch_sent_again_opens_nothing_twice_and_a_key_repeated_within_it_answers_with_the_first_case()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var batch = new { reports = new[] { Item("一", "dev-7-0001"), Item("二", "dev-7-0002"), Item("一", "dev-7-0001") } };
        var (_, first) = await SendAsync(worker, batch);
        var statuses = first.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()).ToList();
        Assert.Equal([201, 201, 200], statuses);
        var ids = first.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("case").GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids[0], ids[2]);

        // The device did not hear the answer and sends the same batch again.
        var (_, again) = await SendAsync(worker, batch);
        Assert.Equal(0, again.GetProperty("created").GetInt32());
        Assert.Equal(3, again.GetProperty("repeated").GetInt32());
        Assert.Equal(ids, again.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("case").GetProperty("id").GetGuid()).ToList());
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseReported'"));

        // The same key with another report is that item's refusal (422, IETF Idempotency-Key draft), nothing written.
        var (_, reused) = await SendAsync(worker, new { reports = new[] { Item("一又一次", "dev-7-0001"), Item("四", "dev-7-0004") } });
        var other = reused.GetProperty("results")[0];
        Assert.Equal(422, other.GetProperty("status").GetInt32());
        Assert.True(other.GetProperty("problem").GetProperty("errors").TryGetProperty("idempotencyKey", out _));
        Assert.Equal(201, reused.GetProperty("results")[1].GetProperty("status").GetInt32());
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM casework.cases WHERE title = '一又一次'"));

        // A key no store would take is that report's own error, named as the batch spells it.
        var (_, bad) = await SendAsync(worker, new { reports = new[] { Item("三", new string('k', CaseService.MaxIdempotencyKey + 1)) } });
        var refused = bad.GetProperty("results")[0];
        Assert.Equal(400, refused.GetProperty("status").GetInt32());
        Assert.True(refused.GetProperty("problem").GetProperty("errors").TryGetProperty("idempotencyKey", out _));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM casework.cases"));
    }

    [Fact]
    public async Task A_report_whose_domain_rule_fails_inside_the_transaction_fails_alone()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var (status, body) = await SendAsync(worker, new { reports = new[] { Item("甲"), Item(FailingHooks.Refused), Item("乙") } });

        Assert.Equal(HttpStatusCode.OK, status);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(201, results[0].GetProperty("status").GetInt32());
        Assert.Equal(500, results[1].GetProperty("status").GetInt32());
        Assert.Contains("the others were", results[1].GetProperty("problem").GetProperty("detail").GetString());
        Assert.Equal(201, results[2].GetProperty("status").GetInt32());
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM casework.cases WHERE title = '{FailingHooks.Refused}'"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM casework.outbox"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM casework_audit.queue") + await CountAsync("SELECT count(*) FROM casework_audit.entries"));
    }

    [Theory]
    [InlineData("""{"reports": []}""", "reports")]
    [InlineData("""{"reports": {"title": "x"}}""", null)]
    [InlineData("""{"reports": [""", null)]
    [InlineData("""[1, 2]""", null)]
    [InlineData("""{}""", "reports")]
    [InlineData("""{"reports": [{"report": {"category": "hazard", "title": 5}}]}""", "reports[0].report.title")]
    public async Task A_malformed_batch_is_refused_with_problem_details_and_stores_nothing(string json, string? field)
    {
        var worker = _host.Client(CaseworkHost.Worker());
        using var response = await worker.PostAsync("/api/fire/v1/cases/batch", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        }

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM casework.cases"));
    }

    [Fact]
    public async Task A_batch_above_the_limit_or_from_someone_who_may_not_report_is_refused_whole()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var tooMany = new { reports = Enumerable.Range(0, _host.Services.GetRequiredService<CaseworkOptions>().MaxBatchReports + 1).Select(i => Item($"第{i}件")).ToArray() };
        var (status, body) = await SendAsync(worker, tooMany);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("100", body.GetProperty("errors").GetProperty("reports")[0].GetString());

        var reader = _host.Client(TestTokens.Create("auditor", ["auditor"], ["*"], ["*"]));
        var (denied, _) = await SendAsync(reader, new { reports = new[] { Item("看") } });
        Assert.Equal(HttpStatusCode.Forbidden, denied);

        using var anonymous = _host.App.GetTestClient();
        using (var none = await anonymous.PostAsJsonAsync("/api/fire/v1/cases/batch", new { reports = new[] { Item("匿名") } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        }

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM casework.cases"));
    }

    /// <summary>A domain rule that fails on one particular report inside its transaction.</summary>
    private sealed class FailingHooks : ICaseworkHooks
    {
        public const string Refused = "拒收";

        public Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct) =>
            change.Action == "report" && change.After.Title == Refused
                ? throw new InvalidOperationException($"the domain rule failed on '{Refused}'")
                : Task.CompletedTask;
    }
}
