using System.Security.Claims;
using Grid.Contracts.Events;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// The checks every drug-supply endpoint makes after authentication: one post of the token holds a role that may take
/// this step, in the drugs domain, over the grid concerned (<see cref="GridAccess"/>).
/// </summary>
internal static class DrugsAccess
{
    /// <summary>Null when allowed, else the 403 problem to return (naming the claim that was missing).</summary>
    public static IResult? Deny(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string>? gridPath = null)
    {
        if (!user.Allows(null, Domains.Drugs))
        {
            return Forbidden("None of the token's posts is in the drugs domain.", "domain");
        }

        if (!user.Allows(roles, Domains.Drugs))
        {
            return Forbidden($"This step needs a drugs post with one of the roles: {string.Join(", ", roles)}.", "role");
        }

        if (gridPath is not null && !user.Allows(roles, Domains.Drugs, gridPath))
        {
            return Forbidden($"No post with one of the roles {string.Join(", ", roles)} covers the grid.", "grid");
        }

        return null;
    }

    /// <summary>The grids of the token's drugs posts to filter lists by, or null for the whole territory.</summary>
    public static string[]? ScopeFilter(ClaimsPrincipal user) => user.GridsWhere(null, Domains.Drugs);

    public static string Actor(ClaimsPrincipal user) => user.FindFirst(GridClaims.Subject)?.Value ?? "unknown";

    public static IResult Invalid(Dictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    public static IResult Invalid(string field, string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string what, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"No {what.ToLowerInvariant()} {id} in your scope.");

    private static IResult Forbidden(string detail, string claim) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail,
        extensions: new Dictionary<string, object?> { ["claim"] = claim });
}
