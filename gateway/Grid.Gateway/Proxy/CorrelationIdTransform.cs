using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Grid.Gateway.Proxy;

/// <summary>
/// The gateway's CorrelationIdMiddleware already set X-Correlation-Id on the incoming request (so YARP forwards
/// it and the service logs under the same id) and on the response. The service echoes the id too, and YARP
/// would append its copy: this transform leaves exactly one value on the way out.
/// </summary>
public sealed class CorrelationIdTransform : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) =>
        context.AddResponseTransform(static ctx =>
        {
            if (CorrelationIdMiddleware.Get(ctx.HttpContext) is { } id)
            {
                ctx.HttpContext.Response.Headers[CorrelationIdMiddleware.HeaderName] = id;
            }

            return ValueTask.CompletedTask;
        });
}
