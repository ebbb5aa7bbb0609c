using System.Security.Claims;
using Grid.Contracts.Events;
using Grid.Contracts.Roles;
using Grid.EnvironmentMonitoring.Infrastructure;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>Roles environment knows, and the checks every endpoint makes: role, domain, grid scope.</summary>
public static class EnvironmentRoles
{
    public const string Admin = GridRoles.Admin;

    /// <summary>环保局 staff (environmental supervision brigade).</summary>
    public const string Bureau = GridRoles.EnvironmentBureau;

    /// <summary>网格长.</summary>
    public const string GridChief = GridRoles.GridChief;

    /// <summary>网格员 / 环境协管员 / 环保专干.</summary>
    public const string GridWorker = GridRoles.GridWorker;

    /// <summary>环保专干: the organization service's role for a township's environment officer, a field role like the grid worker.</summary>
    public const string EnvironmentOfficer = GridRoles.EnvironmentOfficer;

    /// <summary>联合指挥中心 (read only).</summary>
    public const string Command = GridRoles.Command;

    /// <summary>An online monitoring station's service client (在线监控): may push readings only.</summary>
    public const string Station = GridRoles.Station;

    public static readonly string[] Readers = [Admin, Bureau, GridChief, GridWorker, EnvironmentOfficer, Command];
    public static readonly string[] Registrars = [Admin, Bureau, GridChief];
    public static readonly string[] FieldStaff = [Admin, Bureau, GridChief, GridWorker, EnvironmentOfficer];
    public static readonly string[] Pushers = [Admin, Station];
}

/// <summary>
/// The environment checks: one post of the token holds one of the step's roles in the environment domain,
/// over the grid concerned (<see cref="GridAccess"/>).
/// </summary>
internal static class Access
{
    /// <summary>403 unless one post holds one of <paramref name="roles"/> in the environment domain (somewhere).</summary>
    public static IResult? Require(ClaimsPrincipal user, params string[] roles)
    {
        if (!user.Allows(null, Domains.Environment))
        {
            return Forbidden("None of this token's posts is in the environment domain.");
        }

        return user.Allows(roles, Domains.Environment)
            ? null
            : Forbidden($"Requires an environment post with one of the roles: {string.Join(", ", roles)}.");
    }

    /// <summary>403 unless one post holds one of <paramref name="roles"/> in the environment domain over the grid.</summary>
    public static IResult? RequireGrid(ClaimsPrincipal user, string[] roles, IEnumerable<string> gridPath) =>
        user.Allows(roles, Domains.Environment, gridPath) ? null : Forbidden("No post of this token with the step's roles covers the grid.");

    /// <summary>Reading: a reader's post in the environment domain over the grid.</summary>
    /// <summary>The path of a record's grid, or a refusal: an unknown grid is a 400 naming <c>gridId</c>, a grid outside the caller's posts for <paramref name="roles"/> a 403.</summary>
    public static async Task<(IResult? Refused, string[] GridPath)> GridAsync(ClaimsPrincipal user, string[] roles, string? gridId, GridPaths grids, CancellationToken ct)
    {
        if (await grids.PathAsync(gridId, ct) is not { } gridPath)
        {
            return (Invalid("gridId", $"unknown grid '{gridId}'"), []);
        }

        return (RequireGrid(user, roles, gridPath), gridPath);
    }

    public static bool Sees(ClaimsPrincipal user, IEnumerable<string> gridPath) =>
        user.Allows(EnvironmentRoles.Readers, Domains.Environment, gridPath);

    /// <summary>
    /// The grids where one of the caller's posts may read environment records, for a list's SQL filter
    /// (<c>grid_path &amp;&amp; grids</c>), as <see cref="Sees"/> decides for one record; null for the whole territory.
    /// </summary>
    public static string[]? ScopeFilter(ClaimsPrincipal user) => user.GridsWhere(EnvironmentRoles.Readers, Domains.Environment);

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static IResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found", detail: what, statusCode: StatusCodes.Status404NotFound);

    public static IResult Invalid(string field, string why) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [why] });

    public static string Subject(ClaimsPrincipal user) => user.FindFirst(GridClaims.Subject)?.Value ?? "unknown";
}
