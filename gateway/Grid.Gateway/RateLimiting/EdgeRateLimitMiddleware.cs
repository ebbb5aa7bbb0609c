using System.Globalization;
using Grid.Gateway.Proxy;
using Grid.Gateway.Routing;
using Yarp.ReverseProxy.Model;

namespace Grid.Gateway.RateLimiting;

/// <summary>
/// Counts each proxied request against its client (the token's <c>sub</c>, else the caller's IP) and route;
/// over the limit it answers 429 with Retry-After and a problem, and the back end never sees the request.
/// </summary>
public sealed class EdgeRateLimitMiddleware(RequestDelegate next, RedisRateLimiter limiter)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        var decision = await limiter.AcquireAsync(route.RouteId, ClientOf(context), context.RequestAborted);
        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        var retryAfter = Math.Max(1, (int)Math.Ceiling(decision.ResetAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var service = route.Metadata?.GetValueOrDefault(GatewayRoutes.ServiceMetadata);
        await GatewayProblems.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            "Too many requests",
            $"The rate limit of route '{route.RouteId}' is used up for this client; retry after {retryAfter} s.",
            service,
            new Dictionary<string, object?> { ["route"] = route.RouteId, ["retryAfterSeconds"] = retryAfter });
    }

    /// <summary>The token's subject when there is a valid token, else the remote address.</summary>
    public static string ClientOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(GridClaims.Subject)?.Value is { Length: > 0 } sub
            ? "sub:" + sub
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
