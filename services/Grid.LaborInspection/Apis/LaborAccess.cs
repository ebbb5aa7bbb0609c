using System.Security.Claims;
using Grid.Contracts.Events;

namespace Grid.LaborInspection.Apis;

/// <summary>
/// The checks every labor endpoint makes after authentication: the token's domain includes labor, one of its
/// roles may take this step, and the grid concerned lies in the token's grid scope.
/// </summary>
internal static class LaborAccess
{
    /// <summary>Null when allowed, else the 403 problem to return (naming the claim that was missing).</summary>
    public static IResult? Deny(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string>? gridPath = null)
    {
        if (!user.HasDomain(Domains.Labor))
        {
            return Forbidden("The token does not carry the labor domain.", "domain");
        }

        if (!user.Roles().Any(roles.Contains))
        {
            return Forbidden($"This step needs one of the roles: {string.Join(", ", roles)}.", "role");
        }

        if (gridPath is not null && !user.CanSeeGrid(gridPath))
        {
            return Forbidden("The grid is outside the token's grid scope.", "grid");
        }

        return null;
    }

    /// <summary>The scope ids to filter lists by, or null for the whole territory.</summary>
    public static string[]? ScopeFilter(ClaimsPrincipal user)
    {
        var scopes = user.GridScopes();
        return scopes.Contains(GridClaims.AllGrids) ? null : scopes.ToArray();
    }

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
