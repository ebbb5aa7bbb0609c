using Microsoft.AspNetCore.Mvc;

namespace Grid.Gateway.Proxy;

/// <summary>Writes the gateway's own errors as RFC 7807 problems, naming the service when there is one.</summary>
public static class GatewayProblems
{
    public const string ServiceExtension = "service";

    public static async Task WriteAsync(
        HttpContext context, int status, string title, string detail, string? service = null,
        IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (service is not null)
        {
            problem.Extensions[ServiceExtension] = service;
        }

        foreach (var (k, v) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[k] = v;
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
