using System.Security.Claims;
using Grid.Contracts.Roles;

namespace Grid.CommandCenter.Domain;

/// <summary>
/// 权限范围: the grids (subtrees) and domains a user may see, in the form the read-model queries take:
/// null means everything, an empty array nothing. Same rule as <c>user.CanSeeGrid(gridPath)</c>: a case is
/// visible when one of its path's grids is in the user's grid scope.
/// </summary>
public sealed record UserScope(string[]? Grids, string[]? Domains)
{
    public static UserScope Of(ClaimsPrincipal user)
    {
        var grids = user.GridScopes();
        var domains = user.Domains();
        return new UserScope(
            grids.Contains(GridClaims.AllGrids) ? null : grids.ToArray(),
            domains.Contains(GridClaims.AllDomains) ? null : domains.Select(d => d.ToLowerInvariant()).ToArray());
    }

    public bool CanSee(IEnumerable<string> gridPath, string domain) =>
        (Grids is null || gridPath.Any(Grids.Contains)) && (Domains is null || Domains.Contains(domain.ToLowerInvariant()));
}

/// <summary>Roles the command centre checks beyond a valid token (grid scope filters everything else).</summary>
public static class CommandRoles
{
    public const string Admin = GridRoles.Admin;

    /// <summary>指挥长/指挥中心值班: may summon departments (吹哨).</summary>
    public const string Commander = GridRoles.Commander;

    /// <summary>部门联络员: may report its department for duty (报到).</summary>
    public const string Liaison = GridRoles.Liaison;

    /// <summary>审计员: checks audit trails against their seals.</summary>
    public const string Auditor = "auditor";

    public static readonly string[] MaySummon = [Admin, Commander];
    public static readonly string[] MaySeeAuditSeals = [Admin, Commander, Auditor];
    public static readonly string[] MayReport = [Admin, Commander, Liaison];
}
