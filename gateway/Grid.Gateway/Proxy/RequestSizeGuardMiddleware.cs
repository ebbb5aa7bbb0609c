using Grid.Gateway.Routing;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Grid.Gateway.Proxy;

/// <summary>
/// Refuses a body whose declared length exceeds the route's limit before anything is forwarded: 413 problem.
/// Bodies without a length (chunked) are cut by Kestrel at the same limit while streaming, which
/// <see cref="BackendErrorMiddleware"/> turns into the same 413.
/// </summary>
public sealed class RequestSizeGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // YARP applies a route's own limit at the end of the proxy pipeline, after this; so look at it here.
        var route = context.GetReverseProxyFeature().Route.Config;
        var limit = route.MaxRequestBodySize switch
        {
            > 0 and var own => own,
            -1 => null,
            _ => context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize,
        };
        if (limit is long max && context.Request.ContentLength is long length && length > max)
        {
            await GatewayProblems.WriteAsync(
                context,
                StatusCodes.Status413PayloadTooLarge,
                "Request body too large",
                $"The body has {length} bytes; at most {max} are accepted here.",
                route.Metadata?.GetValueOrDefault(GatewayRoutes.ServiceMetadata),
                new Dictionary<string, object?> { ["maxBytes"] = max });
            return;
        }

        await next(context);
    }
}
