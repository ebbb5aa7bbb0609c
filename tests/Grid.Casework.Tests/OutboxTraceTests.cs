using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Grid.Casework.Application;
using Grid.Messaging;
using Grid.Testing;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>
/// 链路追踪 through the outbox on a real database and broker: each outbox row keeps the trace of the request that wrote
/// it — also when a group commit's writer wrote several requests' rows in one transaction — and the relay publishes
/// each row in that trace.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class OutboxTraceTests(CaseworkFixture fx)
{
    private const string AspNetCore = "Microsoft.AspNetCore";

    [Fact]
    public async Task Reports_written_together_keep_each_its_own_requests_trace_and_the_relay_publishes_each_in_it()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is MessagingTrace.SourceName or "MassTransit" or AspNetCore,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var db = await fx.Infra.CreateDatabaseAsync("cw_trace");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_trace");
        // One writer: reports sent together queue behind it and are written in groups, from the writer's own thread.
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address, configure: o => o.IntakeWriters = 1);
        var worker = host.Client(CaseworkHost.Worker());

        // Each request comes from a caller's trace of its own (as a department system's traced call would).
        var callers = Enumerable.Range(0, 30).Select(_ => ActivityTraceId.CreateRandom()).ToList();
        var ids = await Task.WhenAll(callers.Select(async (trace, i) =>
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/api/fire/v1/cases")
            {
                Content = JsonContent.Create(new { category = "hazard", severity = "general", title = $"链路{i}", gridId = GridTree.VillageA1 }),
            };
            req.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var resp = await worker.SendAsync(req);
            Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
            return (await resp.Content.ReadFromJsonAsync<CaseView>(CaseworkHost.Json))!.Id;
        }));

        // Written in groups: fewer transactions than reports.
        Assert.InRange(await Wait.ScalarAsync<long>(db, "SELECT count(DISTINCT xmin::text) FROM casework.outbox WHERE event_type = 'CaseReported'"), 1, 29);

        // Each row carries its own request's trace, not the writer's (none) nor another request's of its group.
        for (var i = 0; i < ids.Length; i++)
        {
            var traceparent = await Wait.ScalarAsync<string>(db, "SELECT traceparent FROM casework.outbox WHERE case_id = $1 AND event_type = 'CaseReported'", ids[i]);
            Assert.True(ActivityContext.TryParse(traceparent, null, out var stored), $"case {i}: traceparent '{traceparent}'");
            Assert.Equal(callers[i], stored.TraceId);
        }

        // The relay publishes each row in its request's trace: its span, the producer's, is the request span's child.
        var cases = ids.Select(id => id.ToString()).ToHashSet();
        Activity? Relay(string id) => spans.FirstOrDefault(a => a.OperationName == MessagingTrace.RelaySpan && a.GetTagItem(MessagingTrace.CaseIdTag) as string == id);
        Activity? Request(string id) => spans.FirstOrDefault(a => a.Source.Name == AspNetCore && a.GetTagItem(MessagingTrace.CaseIdTag) as string == id);
        await Wait.UntilAsync(() => Task.FromResult(cases.All(id => Relay(id) is not null && Request(id) is not null)),
            TimeSpan.FromSeconds(30), "every report's event published");
        for (var i = 0; i < ids.Length; i++)
        {
            var (relay, request) = (Relay(ids[i].ToString())!, Request(ids[i].ToString())!);
            Assert.Equal(callers[i], request.TraceId);
            Assert.Equal(callers[i], relay.TraceId);
            Assert.Equal(request.SpanId, relay.ParentSpanId);
            Assert.Equal(ActivityKind.Producer, relay.Kind);
        }

        // A group's write is a span of its own, linked to each request it wrote for.
        var groups = spans.Where(a => a.OperationName == "report intake" && a.Links.Any(l => callers.Contains(l.Context.TraceId))).ToList();
        Assert.Contains(groups, g => g.Links.Count() > 1);
        Assert.All(groups.SelectMany(g => g.Links), l => Assert.Contains(l.Context.TraceId, callers));
    }

    [Fact]
    public async Task An_outbox_from_before_trace_context_gains_its_columns_at_start_and_keeps_its_pending_rows()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_trace_up");
        await using (var old = new NpgsqlConnection(db))
        {
            await old.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                CREATE SCHEMA IF NOT EXISTS casework;
                CREATE TABLE casework.outbox (seq bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, event_type text NOT NULL,
                    case_id uuid, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), state smallint NOT NULL DEFAULT 0,
                    attempts int NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz, last_error text);
                INSERT INTO casework.outbox (event_id, event_type, payload) VALUES (gen_random_uuid(), 'GridChanged', '{}');
                """, old);
            await cmd.ExecuteNonQueryAsync();
        }

        // Every replica runs the schema at start, so twice is what a second replica does.
        await using var source = NpgsqlDataSource.Create(db);
        await MessagingSchema.EnsureAsync(source, CancellationToken.None);
        await MessagingSchema.EnsureAsync(source, CancellationToken.None);

        Assert.Equal(2L, await Wait.ScalarAsync<long>(db,
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'casework' AND table_name = 'outbox' AND column_name IN ('traceparent', 'tracestate')"));
        Assert.Equal(1L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0 AND traceparent IS NULL AND tracestate IS NULL"));
    }
}
