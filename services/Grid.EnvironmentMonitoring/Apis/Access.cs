using System.Security.Claims;
using Grid.Contracts.Events;
using Grid.Contracts.Roles;

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

internal static class Access
{
    /// <summary>403 unless the caller holds one of <paramref name="roles"/> in the environment domain.</summary>
    public static IResult? Require(ClaimsPrincipal user, params string[] roles)
    {
        if (!user.HasDomain(Domains.Environment))
        {
            return Forbidden("This token is not valid for the environment domain.");
        }

        var held = user.Roles();
        return roles.Any(r => held.Contains(r, StringComparer.OrdinalIgnoreCase))
            ? null
            : Forbidden($"Requires one of the roles: {string.Join(", ", roles)}.");
    }

    /// <summary>403 unless the grid lies in the caller's grid scope.</summary>
    public static IResult? RequireGrid(ClaimsPrincipal user, IEnumerable<string> gridPath) =>
        user.CanSeeGrid(gridPath) ? null : Forbidden("The grid is outside this token's grid scope.");

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static IResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found", detail: what, statusCode: StatusCodes.Status404NotFound);

    public static IResult Invalid(string field, string why) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [why] });

    public static string Subject(ClaimsPrincipal user) => user.FindFirst(GridClaims.Subject)?.Value ?? "unknown";
}
