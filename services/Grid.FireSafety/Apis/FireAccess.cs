using System.Security.Claims;
using Grid.Contracts.Events;

namespace Grid.FireSafety.Apis;

/// <summary>
/// The checks every fire endpoint makes after authentication: one post of the token holds a role that may
/// take this step, in the fire domain, over the grid concerned (<see cref="GridAccess"/>).
/// </summary>
internal static class FireAccess
{
    /// <summary>Null when allowed, else the 403 problem to return (naming what was missing).</summary>
    public static IResult? Deny(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string>? gridPath = null)
    {
        if (!user.Allows(null, Domains.Fire))
        {
            return Forbidden("None of the token's posts is in the fire domain.", "domain");
        }

        if (!user.Allows(roles, Domains.Fire))
        {
            return Forbidden($"This step needs a fire post with one of the roles: {string.Join(", ", roles)}.", "role");
        }

        if (gridPath is not null && !user.Allows(roles, Domains.Fire, gridPath))
        {
            return Forbidden($"No post with one of the roles {string.Join(", ", roles)} covers the grid.", "grid");
        }

        return null;
    }

    /// <summary>Reading: any fire post over the grid.</summary>
    public static bool InScope(ClaimsPrincipal user, IEnumerable<string> gridPath) => user.Allows(null, Domains.Fire, gridPath);

    /// <summary>The grids of the token's fire posts to filter lists by, or null for the whole territory.</summary>
    public static string[]? ScopeFilter(ClaimsPrincipal user) => user.GridsWhere(null, Domains.Fire);

    /// <summary>The role of the post that takes a step over the grid (the first that may).</summary>
    public static string RoleFor(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string> gridPath) =>
        user.Posts().FirstOrDefault(p => p.HoldsOneOf(roles) && p.InDomain(Domains.Fire) && p.OnGrid(gridPath))?.Role ?? "";

    public static string Actor(ClaimsPrincipal user) => user.FindFirst(GridClaims.Subject)?.Value ?? "unknown";

    public static string ActorName(ClaimsPrincipal user) => user.FindFirst(GridClaims.Name)?.Value ?? Actor(user);

    private static IResult Forbidden(string detail, string claim) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail,
        extensions: new Dictionary<string, object?> { ["claim"] = claim });
}

/// <summary>Collects field errors for one ValidationProblem answer.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public FieldErrors Require(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }

        return this;
    }

    public FieldErrors Max(string field, string? value, int maxLength)
    {
        if (value is { } v && v.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }

        return this;
    }

    public IResult Problem() => TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}

/// <summary>Cursor pagination: the cursor is the last id of the previous page.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
