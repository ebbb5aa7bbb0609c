using Grid.Casework.Application;

namespace Grid.CadreSupervision.Apis;

/// <summary>Turns a request's user into a Casework actor and a Casework outcome into a response.</summary>
internal static class CaseworkBridge
{
    public static Actor ActorOf(HttpContext h) =>
        new(h.User.Subject(), $"http:{CorrelationIdMiddleware.Get(h) ?? h.TraceIdentifier}", h.User);

    public static IResult Problem(CaseOutcome o) => o.Errors is not null
        ? TypedResults.ValidationProblem(o.Errors)
        : TypedResults.Problem(title: o.Title, detail: o.Detail, statusCode: o.Status);

    public static bool Ok(CaseOutcome o) => o.Status is 200 or 201 && o.Case is not null;
}
