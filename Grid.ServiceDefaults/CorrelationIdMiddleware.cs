using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every request carries an X-Correlation-Id: accepted if the caller sent a sane one, generated if not,
/// returned on the response, put on the trace and into the logging scope of every line written for it.
/// </summary>
public sealed partial class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
{
    public const string HeaderName = "X-Correlation-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var id = IsSane(incoming) ? incoming : Guid.NewGuid().ToString("N");
        context.Items[HeaderName] = id;
        context.Request.Headers[HeaderName] = id;
        context.Response.Headers[HeaderName] = id;
        Activity.Current?.SetTag("grid.correlation_id", id);
        Activity.Current?.SetBaggage("correlation_id", id);
        using (logger.BeginScope(new CorrelationScope(id)))
        {
            var started = Stopwatch.GetTimestamp();
            await next(context);
            if (!context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/alive"))
            {
                // One access line per request, inside the scope, so the id reaches the log.
                Served(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} -> {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void Served(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    /// <summary>Caller-supplied ids are bounded and plain, so they cannot smuggle text into logs.</summary>
    public static bool IsSane(string? value) => !string.IsNullOrEmpty(value) && value.Length <= 128 && SafeId().IsMatch(value);

    public static string? Get(HttpContext context) => context.Items[HeaderName] as string;

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex SafeId();
}

/// <summary>Log scope state: structured (CorrelationId = id) for OpenTelemetry, "CorrelationId:id" on the console.</summary>
internal sealed class CorrelationScope(string id) : IReadOnlyList<KeyValuePair<string, object>>
{
    public KeyValuePair<string, object> this[int index] =>
        index == 0 ? new("CorrelationId", id) : throw new ArgumentOutOfRangeException(nameof(index));

    public int Count => 1;

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        yield return this[0];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"CorrelationId:{id}";
}
