using Grid.Casework.Application;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Apis;

/// <summary>
/// The one bridge between a domain's endpoints and Casework: a request's user as the acting <see cref="Actor"/> (audited
/// under the request's correlation id) and a <see cref="CaseOutcome"/> as an RFC 7807 answer.
/// </summary>
public static class CaseworkHttp
{
    public static Actor ActorOf(HttpContext h) =>
        new(h.User.Subject(), $"http:{CorrelationIdMiddleware.Get(h) ?? h.TraceIdentifier}", h.User);

    public static IResult Problem(CaseOutcome o)
    {
        if (o.Errors is not null)
        {
            return TypedResults.ValidationProblem(o.Errors);
        }

        var extensions = new Dictionary<string, object?>();
        foreach (var p in o.Extra?.GetType().GetProperties() ?? [])
        {
            extensions[p.Name] = p.GetValue(o.Extra);
        }

        return TypedResults.Problem(title: o.Title, detail: o.Detail, statusCode: o.Status, extensions: extensions);
    }

    public static bool Ok(CaseOutcome o) => o.Status is 200 or 201 && o.Case is not null;
}
