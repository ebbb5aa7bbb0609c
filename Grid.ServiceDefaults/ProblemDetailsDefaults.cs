using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every error is an RFC 7807 problem: with the correlation id, and for unreadable bodies the field at
/// fault. Nothing escapes as a bare 500 with a stack trace.
/// </summary>
public static class ProblemDetailsDefaults
{
    public static TBuilder AddGridProblemDetails<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            if (CorrelationIdMiddleware.Get(ctx.HttpContext) is { } id)
            {
                ctx.ProblemDetails.Extensions["correlationId"] = id;
            }

            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
        });
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();

        // Unreadable bodies must reach the handler above, which names the field (it only sees thrown exceptions).
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }
}

/// <summary>Turns unreadable requests (malformed JSON, wrong types, oversized bodies) into 400/413 problems naming the field.</summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, field, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } e =>
                (413, "Request body too large", (string?)null, e.Message),
            BadHttpRequestException { InnerException: JsonException je } =>
                (400, "Malformed request body", FieldOf(je), je.Message),
            BadHttpRequestException e => (e.StatusCode, "Bad request", null, e.Message),
            JsonException je => (400, "Malformed request body", FieldOf(je), je.Message),
            _ => (0, "", null, ""),
        };
        if (status == 0)
        {
            logger.LogError(exception, "Unhandled exception");
            return false;
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>"$.location.lat" → "location.lat".</summary>
    private static string FieldOf(JsonException je) =>
        string.IsNullOrEmpty(je.Path) || je.Path == "$" ? "body" : je.Path.TrimStart('$', '.');
}
