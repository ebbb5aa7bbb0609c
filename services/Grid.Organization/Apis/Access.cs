using System.Security.Claims;
using Grid.Organization.Domain;

namespace Grid.Organization.Apis;

/// <summary>Who may do what: admin endpoints need admin or org-admin, and every record is checked against the token's grid scope.</summary>
internal static class Access
{
    public const string OrgAdminPolicy = "org-admin";

    public static bool IsAdmin(this ClaimsPrincipal user) => user.Roles().Contains(SystemRoles.Admin);

    public static bool SeesEverything(this ClaimsPrincipal user) => user.GridScopes().Contains(GridClaims.AllGrids);

    /// <summary>A scope test over a grid path; an empty path (a root) needs the whole territory.</summary>
    public static Func<IReadOnlyList<string>, bool> Scope(this ClaimsPrincipal user) => path => user.CanSeeGrid(path);

    public static bool CanSee(this ClaimsPrincipal user, GridArea grid) => user.CanSeeGrid(grid.PathStrings);

    /// <summary>The problem for a broken rule: 400 with the field for bad input, 404/409 naming the field too.</summary>
    public static IResult ToProblem(this OrgRuleException e) => e.Status == StatusCodes.Status400BadRequest
        ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Field] = [e.Message] })
        : TypedResults.Problem(
            statusCode: e.Status,
            title: e.Status == StatusCodes.Status404NotFound ? "Not found" : "Conflict",
            detail: e.Message,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [e.Field] = [e.Message] } });

    public static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string what) => TypedResults.Problem(statusCode: 404, title: "Not found", detail: what);

    public static IResult Forbidden(string why) => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: why);

    /// <summary>Turns rule violations thrown from inside a store's transaction into problem details.</summary>
    public static TBuilder WithRuleProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            try
            {
                return await next(ctx);
            }
            catch (OrgRuleException e)
            {
                return e.ToProblem();
            }
        });
}
