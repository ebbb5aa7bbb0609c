using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

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
        builder.Services.AddExceptionHandler<UnavailableExceptionHandler>();

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

/// <summary>
/// A database or cache that does not answer — pool exhausted under overload, server restarting, connection refused —
/// is the service being unavailable for a moment, not a fault of the request: 503 with Retry-After and the
/// dependency named, logged as a warning without a stack trace, instead of a 500.
/// </summary>
public sealed class UnavailableExceptionHandler(IProblemDetailsService problems, ILogger<UnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (DependencyOf(exception) is not { } dependency || httpContext.Response.HasStarted)
        {
            return false;
        }

        logger.LogWarning("The {Dependency} did not answer; {Method} {Path} answered 503: {Message}",
            dependency, httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        var problem = new ProblemDetails
        {
            Title = "Service temporarily unavailable",
            Detail = $"The {dependency} did not answer in time, so the request was not completed. Retry after {RetryAfterSeconds} s; " +
                "where the endpoint takes an Idempotency-Key, a retry with the same key cannot make a second record.",
        };
        problem.Extensions["dependency"] = dependency;
        return await WriteAsync(problems, httpContext, RetryAfterSeconds, problem, exception);
    }

    /// <summary>A 503 problem with Retry-After: the one shape of "not now" for a dependency down and for load shed.</summary>
    internal static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext context, int retryAfterSeconds, ProblemDetails problem, Exception? exception = null)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        problem.Status = StatusCodes.Status503ServiceUnavailable;
        return problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>"database" or "cache" when the exception, or one it wraps, says that dependency is unreachable for now.</summary>
    public static string? DependencyOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Server shutting down or restarting: not transient to Npgsql, but gone only for a moment.
                case PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow }:
                case NpgsqlException { IsTransient: true }:
                    return "database";
                case RedisConnectionException or RedisTimeoutException:
                    return "cache";
            }
        }

        return null;
    }
}
