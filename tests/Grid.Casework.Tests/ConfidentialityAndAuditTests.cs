using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.Messaging;
using Grid.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Tests;

[Collection(CaseworkCollection.Name)]
public class ConfidentialityAndAuditTests(CaseworkFixture fx)
{
    [Fact]
    public async Task A_reporters_name_appears_in_no_event_log_line_or_response_and_only_the_reward_centre_reads_it()
    {
        var name = $"举报人{Guid.NewGuid():N}"[..16];
        var phone = $"139{Random.Shared.Next(10000000, 99999999)}";
        TestRunLog.SecretUsed("reporter name", name);
        TestRunLog.SecretUsed("reporter phone", phone);
        var logs = new CapturingLoggerProvider();
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_secret");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_sc"), mq, fx.Grids.Address, logs: logs);
        await using var probe = await EventProbe.StartAsync(mq, CaseworkTopology.CommandCentreQueue);
        var chief = host.Client(CaseworkHost.Chief());
        var responses = new StringBuilder();

        using var created = await chief.PostAsJsonAsync("/api/fire/v1/cases", new
        {
            category = "hazard",
            severity = "major",
            title = "占用消防通道",
            gridId = GridTree.CompoundA1X,
            reporter = new { name, phone, wantsReward = true },
        });
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        responses.Append(createdText);
        var c = System.Text.Json.JsonSerializer.Deserialize<CaseView>(createdText, CaseworkHost.Json)!;
        foreach (var (step, body) in new (string, object?)[] { ("accept", null), ("dispatch", new { assignee = "w" }), ("start", null), ("handle", new { result = "ok" }), ("verify", new { passed = true }), ("close", null) })
        {
            responses.Append((await host.PostAsync(chief, c.Id, step, body)).Body);
        }

        responses.Append(await chief.GetStringAsync($"/api/fire/v1/cases/{c.Id}"));
        responses.Append(await chief.GetStringAsync("/api/fire/v1/cases"));

        // Only the reward centre reads it back; the administrator and the chief may not.
        Assert.Equal(HttpStatusCode.Forbidden, (await chief.GetAsync($"/api/fire/v1/cases/{c.Id}/reporter")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client(TestTokens.Admin()).GetAsync($"/api/fire/v1/cases/{c.Id}/reporter")).StatusCode);
        var rewards = host.Client(TestTokens.Create("reward-1", ["reward-centre"]));
        var reporter = await rewards.GetFromJsonAsync<ReporterIdentity>($"/api/fire/v1/cases/{c.Id}/reporter", CaseworkHost.Json);
        Assert.Equal(name, reporter!.Name);
        Assert.Equal(phone, reporter.Phone);

        await probe.WaitForAsync("CaseClosed", m => m.GetProperty("caseId").GetGuid() == c.Id);
        Assert.True(probe.Received.Count >= 7, $"only {probe.Received.Count} events");
        Assert.True(logs.Lines.Count > 20, $"only {logs.Lines.Count} log lines captured");

        // Searched for everywhere it must not be.
        var outbox = await Wait.ScalarAsync<string>(host.Database, "SELECT string_agg(payload, '\n') FROM casework.outbox");
        var audit = await Wait.ScalarAsync<string>(host.Database, "SELECT string_agg(coalesce(before, '') || coalesce(after, '') || actor || action || origin, '\n') FROM (SELECT before, after, actor, action, origin FROM casework_audit.entries UNION ALL SELECT before, after, actor, action, origin FROM casework_audit.queue) a");
        var sealedBytes = await Wait.ScalarAsync<byte[]>(host.Database, "SELECT ciphertext FROM casework.reporters WHERE case_id = $1", c.Id);
        foreach (var secret in new[] { name, phone })
        {
            Assert.DoesNotContain(probe.Received, r => r.Raw.Contains(secret));
            Assert.DoesNotContain(logs.Lines, l => l.Contains(secret));
            Assert.DoesNotContain(secret, outbox);
            Assert.DoesNotContain(secret, audit);
            Assert.DoesNotContain(secret, responses.ToString());
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(sealedBytes));
        }
    }

    [Fact]
    public async Task Concurrent_reports_all_land_in_one_unbroken_chain_in_the_background()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_chain");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_ch"), mq, fx.Grids.Address);
        var chief = host.Client(CaseworkHost.Chief());
        const int Reports = 200;
        await Parallel.ForEachAsync(Enumerable.Range(0, Reports), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = $"并发{i}", gridId = GridTree.VillageA1 }));

        // The chainer links them without being asked: nothing stays pending, one entry per report, in seq order 1..n.
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework_audit.queue") == 0,
            TimeSpan.FromSeconds(20), "the pending audit entries to be chained");
        Assert.Equal((long)Reports, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework_audit.entries"));
        Assert.Equal((long)Reports, await Wait.ScalarAsync<long>(host.Database, "SELECT max(seq) FROM casework_audit.entries"));
        var auditor = host.Client(TestTokens.Create("auditor-2", ["auditor"]));
        var verified = await auditor.GetFromJsonAsync<AuditVerification>("/api/fire/v1/cases/audit/verify", CaseworkHost.Json);
        Assert.True(verified!.Valid);
        Assert.Equal(Reports, verified.Entries);
    }
}

/// <summary>Keeps every formatted log line (with exception text and scopes) of a host.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var sb = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (k, v) in values)
                {
                    sb.Append(' ').Append(k).Append('=').Append(v);
                }
            }

            owner._scopes.ForEachScope((scope, b) => b.Append(" [").Append(scope).Append(']'), sb);
            owner.Lines.Enqueue(sb.ToString());
        }
    }
}
