using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.Contracts.Events;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// The checks every cadre endpoint makes after authentication: one post of the token holds a role that may take this
/// step, in the cadre domain, over the grid concerned (<see cref="GridAccess"/>).
/// </summary>
internal static class CadreAccess
{
    /// <summary>Null when allowed, else the 403 problem to return (naming the claim that was missing).</summary>
    public static IResult? Deny(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string>? gridPath = null)
    {
        if (!user.Allows(null, Domains.Cadre))
        {
            return Forbidden("None of the token's posts is in the cadre domain.", "domain");
        }

        if (!user.Allows(roles, Domains.Cadre))
        {
            return Forbidden($"This step needs a cadre post with one of the roles: {string.Join(", ", roles)}.", "role");
        }

        if (gridPath is not null && !user.Allows(roles, Domains.Cadre, gridPath))
        {
            return Forbidden($"No post with one of the roles {string.Join(", ", roles)} covers the grid.", "grid");
        }

        return null;
    }

    /// <summary>Whether a post with one of <paramref name="roles"/> covers the grid.</summary>
    public static bool Covers(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string> gridPath) =>
        user.Allows(roles, Domains.Cadre, gridPath);

    /// <summary>The grids where the caller holds one of <paramref name="roles"/>, or null for the whole territory.</summary>
    public static string[]? ScopeFilter(ClaimsPrincipal user, IReadOnlyCollection<string> roles) => user.GridsWhere(roles, Domains.Cadre);

    /// <summary>
    /// The file owner sees a whole file; a recorder (supervisor, grid chief) without a file owner's post over the grid
    /// sees only the register entries they recorded themselves.
    /// </summary>
    public static bool SeesWholeFile(ClaimsPrincipal user, IEnumerable<string> gridPath) => Covers(user, CadreRoles.FileOwners, gridPath);

    public static string Actor(ClaimsPrincipal user) => user.Subject();

    public static IResult Invalid(Dictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    public static IResult Invalid(string field, string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult NotFound(string what, object id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"No {what.ToLowerInvariant()} {id} in your scope.");

    public static IResult Conflict(string title, string detail) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    private static IResult Forbidden(string detail, string claim) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail,
        extensions: new Dictionary<string, object?> { ["claim"] = claim });
}

/// <summary>Collects field errors for one ValidationProblem answer.</summary>
internal sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message) => (_errors.TryGetValue(field, out var l) ? l : _errors[field] = []).Add(message);

    /// <summary>Adds an error when the text is blank or too long; returns it trimmed.</summary>
    public string Text(string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max)
        {
            Add(field, $"is required, at most {max} characters");
            return "";
        }

        return value.Trim();
    }

    public IResult Problem() => CadreAccess.Invalid(_errors);
}
