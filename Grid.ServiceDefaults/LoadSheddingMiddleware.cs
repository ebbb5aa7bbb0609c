using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Sheds writes a service cannot take on right now: once <c>Grid:LoadShedding:MaxConcurrentWrites</c> writes are in
/// flight (default 256; 0 turns it off), the next is answered at once with 503 and Retry-After instead of queueing
/// for a database connection — under overload the queue grew until every report waited out the pool's 15 s and then
/// failed, so nothing got through. Reads and gRPC calls are not counted: they are cheap, and some are long-lived streams.
/// </summary>
public sealed class LoadSheddingMiddleware(RequestDelegate next, IConfiguration configuration, IProblemDetailsService problems, WritesInFlight writes)
{
    public const string LimitKey = "Grid:LoadShedding:MaxConcurrentWrites";

    /// <summary>Seconds a shed client is asked to wait before retrying.</summary>
    public const int RetryAfterSeconds = 1;

    private readonly int _limit = configuration.GetValue(LimitKey, 256);

    public async Task InvokeAsync(HttpContext context)
    {
        if (_limit <= 0 || !IsWrite(context.Request))
        {
            await next(context);
            return;
        }

        if (Interlocked.Increment(ref writes.Count) > _limit)
        {
            Interlocked.Decrement(ref writes.Count);
            await UnavailableExceptionHandler.WriteAsync(problems, context, RetryAfterSeconds, new ProblemDetails
            {
                Title = "Too busy; nothing was done",
                Detail = $"{_limit} writes are in progress, the most this service takes at once. Retry after {RetryAfterSeconds} s.",
            });
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref writes.Count);
        }
    }

    /// <summary>gRPC calls are POSTs too, but lookups, possibly long-lived, with deadlines of their own.</summary>
    private static bool IsWrite(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true;
}

/// <summary>How many writes are in flight in this process now (a singleton, so it can be read while they run).</summary>
public sealed class WritesInFlight
{
    internal int Count;

    public int Current => Volatile.Read(ref Count);
}
