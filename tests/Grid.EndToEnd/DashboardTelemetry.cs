using System.Text.Json;

namespace Grid.EndToEnd;

/// <summary>
/// The spans the Aspire dashboard holds, read as an operator's script reads them: its telemetry API
/// (<c>GET /api/telemetry/spans</c>, OTLP JSON) with this run's key in <c>x-api-key</c>.
/// </summary>
public static class DashboardTelemetry
{
    /// <summary>OTLP span kinds.</summary>
    public const int Server = 2, Producer = 4, Consumer = 5;

    /// <summary>One span: the service that sent it, its ids, kind, attributes (as text) and the traces it links to.</summary>
    public sealed record Span(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
        IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> LinkedTraces)
    {
        public string? this[string attribute] => Attributes.TryGetValue(attribute, out var v) ? v : null;

        /// <summary>The message id a messaging span names (OpenTelemetry's attribute, or MassTransit's own).</summary>
        public string? MessageId => this["messaging.message.id"] ?? this["messaging.masstransit.message_id"];

        public override string ToString() => $"{Service} '{Name}' kind {Kind} trace {TraceId} span {SpanId} parent '{ParentSpanId}'";
    }

    /// <summary>
    /// The most recent spans of the traces a resource took part in (every service's spans of those traces; the dashboard
    /// keeps them by trace, newest last).
    /// </summary>
    public static async Task<IReadOnlyList<Span>> SpansAsync(AssembledSuite suite, string resource, int limit = 2000)
    {
        using var http = Client(suite);
        http.DefaultRequestHeaders.Add("x-api-key", suite.DashboardApiKey);
        using var resp = await http.GetAsync($"/api/telemetry/spans?resource={Uri.EscapeDataString(resource)}&limit={limit}");
        var body = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"dashboard telemetry API: {(int)resp.StatusCode} {body[..Math.Min(body.Length, 500)]}");
        return Parse(JsonDocument.Parse(body).RootElement.GetProperty("data"));
    }

    /// <summary>The dashboard's answer to a caller without the key (no redirect followed).</summary>
    public static async Task<int> StatusWithoutKeyAsync(AssembledSuite suite)
    {
        using var http = Client(suite);
        using var resp = await http.GetAsync("/api/telemetry/spans?limit=1");
        return (int)resp.StatusCode;
    }

    private static HttpClient Client(AssembledSuite suite) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = suite.Dashboard.Url, Timeout = TimeSpan.FromSeconds(60) };

    private static List<Span> Parse(JsonElement data)
    {
        var spans = new List<Span>();
        foreach (var resource in data.GetProperty("resourceSpans").EnumerateArray())
        {
            var service = Attributes(resource.GetProperty("resource")).GetValueOrDefault("service.name", "");
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var s in scope.GetProperty("spans").EnumerateArray())
                {
                    var links = s.TryGetProperty("links", out var l) && l.ValueKind == JsonValueKind.Array
                        ? l.EnumerateArray().Select(x => x.GetProperty("traceId").GetString()!).ToList()
                        : [];
                    spans.Add(new Span(service, s.GetProperty("traceId").GetString()!, s.GetProperty("spanId").GetString()!,
                        s.TryGetProperty("parentSpanId", out var p) ? RootIsEmpty(p.GetString()) : "", s.GetProperty("name").GetString()!,
                        Kind(s), Attributes(s), links));
                }
            }
        }

        return spans;
    }

    /// <summary>OTLP JSON writes the kind as its number; the enum's name (SPAN_KIND_SERVER) is read too.</summary>
    private static int Kind(JsonElement span) =>
        !span.TryGetProperty("kind", out var k) ? 0
        : k.ValueKind == JsonValueKind.Number ? k.GetInt32()
        : Array.IndexOf(["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"], k.GetString());

    /// <summary>A root span's parent, however the exporter spelled "none" (absent, empty, zeros), as "".</summary>
    private static string RootIsEmpty(string? parent) => string.IsNullOrEmpty(parent) || parent.All(c => c == '0') ? "" : parent;

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        var result = new Dictionary<string, string>();
        if (owner.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in attributes.EnumerateArray())
            {
                var value = a.GetProperty("value");
                result[a.GetProperty("key").GetString()!] = value.TryGetProperty("stringValue", out var text)
                    ? text.GetString() ?? ""
                    : value.EnumerateObject().FirstOrDefault().Value.ToString();
            }
        }

        return result;
    }
}
