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
        // A message-template scope: structured for OpenTelemetry (CorrelationId attribute) and readable in the
        // console log ("CorrelationId:…"), where a dictionary scope would print as its type name.
        using (logger.BeginScope("CorrelationId:{CorrelationId}", id))
        {
            await next(context);
        }
    }

    /// <summary>Caller-supplied ids are bounded and plain, so they cannot smuggle text into logs.</summary>
    public static bool IsSane(string? value) => !string.IsNullOrEmpty(value) && value.Length <= 128 && SafeId().IsMatch(value);

    public static string? Get(HttpContext context) => context.Items[HeaderName] as string;

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex SafeId();
}
