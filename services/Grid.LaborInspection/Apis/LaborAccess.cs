using System.Security.Claims;
using Grid.Contracts.Events;

namespace Grid.LaborInspection.Apis;

/// <summary>
/// The checks every labor endpoint makes after authentication: one post of the token holds a role that may take
/// this step, in the labor domain, over the grid concerned (<see cref="GridAccess"/>).
/// </summary>
internal static class LaborAccess
{
    /// <summary>Null when allowed, else the 403 problem to return (naming the claim that was missing).</summary>
    public static IResult? Deny(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string>? gridPath = null)
    {
        if (!user.Allows(null, Domains.Labor))
        {
            return Forbidden("None of the token's posts is in the labor domain.", "domain");
        }

        if (!user.Allows(roles, Domains.Labor))
        {
            return Forbidden($"This step needs a labor post with one of the roles: {string.Join(", ", roles)}.", "role");
        }

        if (gridPath is not null && !user.Allows(roles, Domains.Labor, gridPath))
        {
            return Forbidden($"No post with one of the roles {string.Join(", ", roles)} covers the grid.", "grid");
        }

        return null;
    }

    /// <summary>Reading: any labor post over the grid.</summary>
    public static bool InScope(ClaimsPrincipal user, IEnumerable<string> gridPath) => user.Allows(null, Domains.Labor, gridPath);

    /// <summary>The grids of the token's labor posts to filter lists by, or null for the whole territory.</summary>
    public static string[]? ScopeFilter(ClaimsPrincipal user) => user.GridsWhere(null, Domains.Labor);

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

/// <summary>Cursor pagination: the cursor is the last id of the previous page.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
