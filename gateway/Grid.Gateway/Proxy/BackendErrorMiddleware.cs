using System.Net.Sockets;
using Grid.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Grid.Gateway.Proxy;

/// <summary>
/// When forwarding fails, YARP sets a bare status (502, 503, 504); this writes the problem that says which
/// service failed and how: unreachable (503, with Retry-After), timed out (504), or broke the exchange (502).
/// </summary>
public sealed class BackendErrorMiddleware(RequestDelegate next, ILogger<BackendErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted || error.Error == ForwarderError.RequestCanceled)
        {
            return;
        }

        var route = context.GetReverseProxyFeature().Route.Config;
        var service = route.Metadata?.GetValueOrDefault(GatewayRoutes.ServiceMetadata) ?? route.ClusterId ?? "unknown";
        var (status, title, detail) = Describe(error, service);
        logger.LogWarning("Forwarding to {Service} failed: {Error} ({Message}) → {Status}", service, error.Error, error.Exception?.Message, status);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await GatewayProblems.WriteAsync(context, status, title, detail, service);
    }

    private static (int Status, string Title, string Detail) Describe(IForwarderErrorFeature error, string service)
    {
        if (Find<BadHttpRequestException>(error.Exception) is { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge)
        {
            return (413, "Request body too large", tooLarge.Message);
        }

        // A streamed (chunked) body cut at the limit sometimes surfaces wrapped in an I/O error instead.
        if (error.Error is ForwarderError.RequestBodyClient && MentionsTooLarge(error.Exception))
        {
            return (413, "Request body too large", "The request body exceeds the limit for this route.");
        }

        return error.Error switch
        {
            ForwarderError.RequestTimedOut =>
                (504, $"Service '{service}' timed out", $"Service '{service}' did not answer in time."),
            ForwarderError.NoAvailableDestinations =>
                (503, $"Service '{service}' is unavailable", $"No instance of service '{service}' is available."),
            ForwarderError.Request when Find<SocketException>(error.Exception) is not null
                || Find<HttpRequestException>(error.Exception) is { HttpRequestError: HttpRequestError.ConnectionError } =>
                (503, $"Service '{service}' is unavailable", $"Service '{service}' could not be reached; try again shortly."),
            ForwarderError.RequestBodyClient or ForwarderError.RequestBodyCanceled =>
                (400, "Request body unreadable", "The request body could not be read to the end."),
            _ => (502, $"Service '{service}' failed", $"The exchange with service '{service}' failed ({error.Error})."),
        };
    }

    private static bool MentionsTooLarge(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains("too large", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is T t)
            {
                return t;
            }
        }

        return null;
    }
}
