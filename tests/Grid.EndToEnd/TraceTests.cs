using System.Net;
using System.Text.Json;
using Grid.Testing;
using static Grid.EndToEnd.DashboardTelemetry;

namespace Grid.EndToEnd;

/// <summary>
/// 链路追踪 as the operator sees it in the Aspire dashboard: one report is one trace, from the gateway through the fire
/// service and its outbox relay, across RabbitMQ, into the command centre's read model.
/// </summary>
[Collection(SuiteCollection.Name)]
public class TraceTests(AssembledSuite suite)
{
    [Fact]
    public async Task A_report_through_the_gateway_is_one_trace_from_the_gateway_over_the_outbox_relay_to_the_command_centre()
    {
        // The telemetry API is not open to whoever reaches the dashboard's port.
        Assert.NotEqual(200, await StatusWithoutKeyAsync(suite));

        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var at = await Cases.PositionInAsync(suite, finder);

        // The gateway's span is found by the request's correlation id; the trace id is the suite's own.
        var correlation = "trace-" + Guid.NewGuid().ToString("N");
        using var request = Cases.FireReport(at, "楼道堆放杂物堵塞疏散通道", idempotencyKey: null);
        request.Headers.Add("X-Correlation-Id", correlation);
        string caseId;
        using (var resp = await finder.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
            caseId = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        // Each span is looked for on its own, by what it carries: the gateway's by the correlation id, the fire service's
        // request and the relay's publish by the case id, the command centre's receive and consume by the event's message
        // id, which the relay's span names.
        Span? gateway = null, fire = null, relay = null, projection = null;
        IReadOnlyList<Span> consumed = [];
        try
        {
            await Wait.UntilAsync(async () =>
            {
                gateway ??= (await SpansAsync(suite, "gateway")).FirstOrDefault(s => s is { Service: "gateway", Kind: Server } && s["grid.correlation_id"] == correlation);
                if (fire is null || relay is null)
                {
                    var spans = await SpansAsync(suite, "fire");
                    fire = spans.FirstOrDefault(s => s is { Service: "fire", Kind: Server } && s["grid.case.id"] == caseId);
                    relay = spans.FirstOrDefault(s => s is { Service: "fire", Name: "outbox relay", Kind: Producer, MessageId: not null } && s["grid.case.id"] == caseId && s["grid.event.type"] == "CaseReported");
                }

                if (relay is not null && (consumed.Count == 0 || projection is null))
                {
                    var spans = await SpansAsync(suite, "command");
                    consumed = spans.Where(s => s is { Service: "command", Kind: Consumer } && s.MessageId == relay.MessageId).ToList();
                    var traces = consumed.Select(s => s.TraceId).ToHashSet();
                    projection = spans.FirstOrDefault(s => s is { Service: "command", Name: "read model projection" }
                        && (traces.Contains(s.TraceId) || s.LinkedTraces.Any(traces.Contains)));
                }

                return gateway is not null && fire is not null && relay is not null && consumed.Count > 0 && projection is not null;
            }, TimeSpan.FromSeconds(90), "the report's spans in the dashboard");
        }
        catch (TimeoutException)
        {
            // What the dashboard has of the trace, and the command centre's latest spans with what they carry.
            var trace = (gateway ?? fire)?.TraceId;
            var fireSpans = await SpansAsync(suite, "fire");
            var commandSpans = await SpansAsync(suite, "command");
            static string Line(Span s) => $"{s} {{{string.Join(", ", s.Attributes.Select(a => $"{a.Key}={a.Value}"))}}}";
            throw new Xunit.Sdk.XunitException($"""
                not every span of case {caseId} reached the dashboard:
                gateway {gateway}; fire {fire}; relay {relay}; consumed {string.Join(", ", consumed)}; projection {projection}
                spans of trace {trace}:
                {string.Join("\n", fireSpans.Concat(commandSpans).Where(s => s.TraceId == trace).DistinctBy(s => s.SpanId).Select(Line))}
                the command centre's latest spans:
                {string.Join("\n", commandSpans.Where(s => s.Service == "command").TakeLast(8).Select(Line))}
                """);
        }

        // The trace starts at the gateway (no caller's span above it), and every later span is in it.
        Assert.Equal("", gateway!.ParentSpanId);
        Assert.Equal(gateway.TraceId, fire!.TraceId);
        Assert.Equal(gateway.TraceId, relay!.TraceId);
        Assert.All(consumed, c => Assert.Equal(gateway.TraceId, c.TraceId));

        // The relay's span hangs under the fire request (not under a batch), and the command centre's receive under the
        // relay's: the message's header carried it across the broker.
        Assert.Equal(fire.SpanId, relay.ParentSpanId);
        Assert.Contains(consumed, c => c.ParentSpanId == relay.SpanId);

        // The read-model write is in the trace, or linked to it when it wrote several events together.
        Assert.True(projection!.TraceId == gateway.TraceId || projection.LinkedTraces.Contains(gateway.TraceId), projection.ToString());
    }
}
