using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Casework.Tests;

/// <summary>合并提交: single reports sent at the same time share transactions, and each still gets its own outcome.</summary>
[Collection(CaseworkCollection.Name)]
public class GroupCommitTests(CaseworkFixture fx) : IAsyncLifetime
{
    private CaseworkHost _host = null!;

    public async Task InitializeAsync()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_group");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_group");

        // One writer, so that reports sent together must queue behind it and be written in groups.
        _host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address, configure: o => o.IntakeWriters = 1,
            services: s => s.AddSingleton<ICaseworkHooks, AmbientHooks>());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object Report(string title) => new { category = "hazard", severity = "general", title, gridId = GridTree.VillageA1 };

    private Task<long> CountAsync(string sql) => Wait.ScalarAsync<long>(_host.Database, sql);

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, object body, string? key = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/api/fire/v1/cases") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            req.Headers.Add("Idempotency-Key", key);
        }

        using var resp = await client.SendAsync(req);
        return (resp.StatusCode, JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Reports_sent_together_share_transactions_and_each_is_stored_with_its_event_and_audit_entry()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => PostAsync(worker, Report($"同时上报{i}"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        var cases = answers.Select(a => a.Body.Deserialize<CaseView>(CaseworkHost.Json)!).ToList();
        Assert.Equal(40, cases.Select(c => c.Id).Distinct().Count());
        Assert.Equal(40, cases.Select(c => c.Number).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"同时上报{i}").Order(), cases.Select(c => c.Title).Order());

        Assert.Equal(40, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(40, await CountAsync("SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseReported'"));
        var auditor = _host.Client(TestTokens.Create("auditor", ["auditor"], ["*"], ["*"]));
        var verified = await auditor.GetFromJsonAsync<AuditVerification>("/api/fire/v1/cases/audit/verify", CaseworkHost.Json);
        Assert.True(verified!.Valid);
        Assert.Equal(40, await CountAsync("SELECT count(*) FROM casework_audit.entries WHERE action = 'report'"));

        // Rows of one transaction carry its id (xmin): fewer transactions than reports means they were grouped.
        var transactions = await CountAsync("SELECT count(DISTINCT xmin::text) FROM casework.cases");
        Assert.InRange(transactions, 1, 39);
    }

    [Fact]
    public async Task A_report_whose_domain_rule_fails_fails_alone_and_the_others_sent_with_it_are_stored()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var titles = Enumerable.Range(0, 12).Select(i => i == 5 ? AmbientHooks.Refused : $"好的{i}").ToList();
        var answers = await Task.WhenAll(titles.Select(t => PostAsync(worker, Report(t))));

        Assert.Equal(HttpStatusCode.InternalServerError, answers[5].Status);
        Assert.Equal(500, answers[5].Body.GetProperty("status").GetInt32());
        Assert.All(answers.Where((_, i) => i != 5), a => Assert.Equal(HttpStatusCode.Created, a.Status));
        Assert.Equal(11, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM casework.cases WHERE title = '{AmbientHooks.Refused}'"));
        Assert.Equal(11, await CountAsync("SELECT count(*) FROM casework.outbox"));
        Assert.Equal(11, await CountAsync("SELECT count(*) FROM casework_audit.queue") + await CountAsync("SELECT count(*) FROM casework_audit.entries"));
    }

    [Fact]
    public async Task One_key_sent_many_times_at_once_opens_one_case_and_every_answer_names_it()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostAsync(worker, Report("重复发送"), "device-9-0001")));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Single(answers.Select(a => a.Body.GetProperty("id").GetGuid()).Distinct());
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM casework.outbox"));
    }

    [Fact]
    public async Task A_key_sent_again_with_another_report_is_refused_with_422_and_with_the_same_report_answers_the_first_case()
    {
        var worker = _host.Client(CaseworkHost.Worker());
        var (status, first) = await PostAsync(worker, Report("楼道堆物"), "device-3-0001");
        Assert.Equal(HttpStatusCode.Created, status);

        // Retries of the same report and a different report under the same key arrive together (grouped).
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PostAsync(worker, Report(i % 2 == 0 ? "楼道堆物" : "另一件事"), "device-3-0001")));
        for (var i = 0; i < answers.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.Equal(HttpStatusCode.OK, answers[i].Status);
                Assert.Equal(first.GetProperty("id").GetGuid(), answers[i].Body.GetProperty("id").GetGuid());
            }
            else
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, answers[i].Status);
                Assert.True(answers[i].Body.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), answers[i].Body.ToString());
            }
        }

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM casework.outbox"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM casework.cases WHERE title = '另一件事'"));
    }

    [Fact]
    public async Task The_domain_hooks_of_a_grouped_report_run_in_the_context_of_the_call_that_sent_it()
    {
        var cases = _host.Services.GetRequiredService<CaseService>();
        var hooks = (AmbientHooks)_host.Services.GetRequiredService<ICaseworkHooks>();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            // What a domain sets around its call (the fire service's FireCaseContext does this).
            AmbientHooks.Ambient.Value = $"调用{i}";
            return await cases.ReportAsync(new ReportCaseRequest { Category = "hazard", Severity = "general", Title = $"调用{i}", GridId = GridTree.VillageA1 },
                Actor.System("test"), null, CancellationToken.None);
        }));

        Assert.All(outcomes, o => Assert.Equal(201, o.Status));
        Assert.Equal(30, hooks.Seen.Count);
        Assert.All(hooks.Seen, s => Assert.Equal(s.Title, s.Ambient));
        Assert.InRange(await CountAsync("SELECT count(DISTINCT xmin::text) FROM casework.cases"), 1, 29);
    }

    [Fact]
    public async Task A_group_whose_connection_is_cut_at_commit_is_refused_to_every_caller_and_their_retries_open_each_case_once()
    {
        // The writer is held by a slow report; the reports sent meanwhile queue into one group, and one of them makes
        // the database end its own connection when the group commits: COMMIT went out, and no answer came back.
        await CountAsync("""
            CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
            CREATE TRIGGER slow AFTER INSERT ON casework.cases FOR EACH ROW WHEN (NEW.title = '慢') EXECUTE FUNCTION slow_insert();
            CREATE FUNCTION cut_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER cut AFTER INSERT ON casework.cases DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NEW.title = '断线') EXECUTE FUNCTION cut_at_commit();
            SELECT 1::bigint
            """);
        var worker = _host.Client(CaseworkHost.Worker());
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(worker, Report("先到"), "first")).Status);
        var slow = PostAsync(worker, Report("慢"), "slow");
        await Wait.UntilAsync(async () => await CountAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()") == 1,
            TimeSpan.FromSeconds(10), "the slow report in its transaction");
        var titles = Enumerable.Range(0, 8).Select(i => $"同组{i}").Append("断线").ToList();
        var answers = await Task.WhenAll(titles.Select(t => PostAsync(worker, Report(t), $"key-{t}")));
        Assert.Equal(HttpStatusCode.Created, (await slow).Status);

        // Whether such a commit took is unknown, so every caller of the group is told to send again with its key.
        var refused = titles.Where((_, i) => answers[i].Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Contains("断线", refused);
        Assert.True(refused.Count > 1, $"the cut report was written alone ({string.Join(", ", titles.Select((t, i) => $"{t}: {(int)answers[i].Status}"))})");
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.Equal("database", a.Body.GetProperty("dependency").GetString()));

        // Nothing of the group is stored: no case, no event, no audit entry, no key.
        var stored = answers.Count(a => a.Status == HttpStatusCode.Created) + 2;
        Assert.Equal(stored, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(stored, await CountAsync("SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseReported'"));
        Assert.Equal(stored, await CountAsync("SELECT count(*) FROM casework.idempotency_keys"));
        Assert.Equal(stored, await CountAsync("SELECT (SELECT count(*) FROM casework_audit.entries) + (SELECT count(*) FROM casework_audit.queue)"));

        // Sent again with their keys, the good ones open once each; every report sent twice answers with its first case.
        var good = refused.Where(t => t != "断线").ToList();
        var again = await Task.WhenAll(good.Select(t => PostAsync(worker, Report(t), $"key-{t}")));
        Assert.All(again, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        var twice = await Task.WhenAll(titles.Where(t => t != "断线").Select(t => PostAsync(worker, Report(t), $"key-{t}")));
        Assert.All(twice, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM casework.cases"));
        Assert.Equal(10, await CountAsync("SELECT count(DISTINCT title) FROM casework.cases"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM casework.cases WHERE title = '断线'"));
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM casework.outbox WHERE event_type = 'CaseReported'"));
        var auditor = _host.Client(TestTokens.Create("auditor", ["auditor"], ["*"], ["*"]));
        var verified = await auditor.GetFromJsonAsync<AuditVerification>("/api/fire/v1/cases/audit/verify", CaseworkHost.Json);
        Assert.True(verified!.Valid);
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM casework_audit.entries WHERE action = 'report'"));
    }

    /// <summary>Fails on one title inside the transaction; records the ambient value each report's hook saw.</summary>
    private sealed class AmbientHooks : ICaseworkHooks
    {
        public const string Refused = "拒收";

        public static readonly AsyncLocal<string?> Ambient = new();

        public System.Collections.Concurrent.ConcurrentBag<(string Title, string? Ambient)> Seen { get; } = [];

        public Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct)
        {
            if (change.Action != "report")
            {
                return Task.CompletedTask;
            }

            if (change.After.Title == Refused)
            {
                throw new InvalidOperationException($"the domain rule failed on '{Refused}'");
            }

            Seen.Add((change.After.Title, Ambient.Value));
            return Task.CompletedTask;
        }
    }
}
