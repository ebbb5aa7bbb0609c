using System.Security.Claims;
using Grid.Casework.Application;

namespace Grid.FireSafety.Apis;

/// <summary>Turns a request's user into a Casework actor and a Casework outcome into a response.</summary>
internal static class CaseworkBridge
{
    public static Actor ActorOf(HttpContext h) =>
        new(h.User.Subject(), $"http:{CorrelationIdMiddleware.Get(h) ?? h.TraceIdentifier}", h.User);

    /// <summary>
    /// The same person acting for a compound fire step whose role and scope fire has already checked (e.g. a
    /// grid worker's on-the-spot fix walks the case through accept, dispatch and handle): audited under their name.
    /// </summary>
    public static Actor Compound(HttpContext h, string step) =>
        new(h.User.Subject(), $"http:{CorrelationIdMiddleware.Get(h) ?? h.TraceIdentifier}:{step}", null);

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

    public static ClaimsPrincipal User(HttpContext h) => h.User;
}
