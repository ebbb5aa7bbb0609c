using System.Security.Claims;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;

namespace Grid.Organization.Apis;

/// <summary>
/// Who may do what: changes need an admin or org-admin post over the grid concerned; reading needs any post
/// over it (the posts of the token, <see cref="GridAccess"/>).
/// </summary>
internal static class Access
{
    public const string OrgAdminPolicy = "org-admin";

    /// <summary>The administrator's post over every domain and the whole territory (signing keys, for one).</summary>
    public const string AdministratorPolicy = "administrator";

    public static readonly string[] AdminRoles = [SystemRoles.Admin, SystemRoles.OrgAdmin];

    public static bool IsAdmin(this ClaimsPrincipal user) => user.HoldsRole(SystemRoles.Admin);

    /// <summary>An admin post in every domain (*) over the whole territory (*), as only the administrator account holds.</summary>
    public static bool IsAdministratorEverywhere(this ClaimsPrincipal user) => user.GridsWhere([SystemRoles.Admin], GridPost.Everywhere) is null;

    /// <summary>An admin or org-admin post over the whole territory.</summary>
    public static bool SeesEverything(this ClaimsPrincipal user) => user.GridsWhere(AdminRoles, null) is null;

    /// <summary>Where the caller may change things: under an admin or org-admin post; an empty path (a root) needs the whole territory.</summary>
    public static Func<IReadOnlyList<string>, bool> Scope(this ClaimsPrincipal user) => path => user.Allows(AdminRoles, null, path);

    /// <summary>Where the caller may read: under any of its posts.</summary>
    public static GridScope ReadScope(this ClaimsPrincipal user) => GridScope.Of(user.GridsWhere(null, null));

    public static bool CanSee(this ClaimsPrincipal user, GridArea grid) => user.Allows(null, null, grid.PathStrings);

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
