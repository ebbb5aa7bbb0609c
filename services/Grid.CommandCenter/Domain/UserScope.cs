using System.Security.Claims;
using Grid.Contracts.Roles;

namespace Grid.CommandCenter.Domain;

/// <summary>
/// 权限范围: what a user may see in the read model, per post: a case is visible when one post's domain is
/// the case's (or every domain) and that post's grid lies on the case's path (or is the whole territory).
/// <see cref="Grids"/> and <see cref="Domains"/> are the union of the posts (null: no bound), a coarse
/// filter the indexes can use before the exact per-post test; <see cref="PostDomains"/>/<see cref="PostGrids"/>
/// are the posts themselves, pairwise, or null when one post sees everything.
/// </summary>
public sealed record UserScope(string[]? Grids, string[]? Domains, string[]? PostDomains, string[]? PostGrids)
{
    private IReadOnlyList<GridPost> Posts { get; init; } = [];

    public static UserScope Of(ClaimsPrincipal user)
    {
        var posts = user.Posts();
        if (posts.Any(p => p.Domain == GridPost.Everywhere && p.Grid == GridPost.Everywhere))
        {
            return new UserScope(null, null, null, null) { Posts = posts };
        }

        var domains = posts.Any(p => p.Domain == GridPost.Everywhere) ? null : posts.Select(p => p.Domain.ToLowerInvariant()).Distinct().ToArray();
        return new UserScope(
            user.GridsWhere(null, null),
            domains,
            posts.Select(p => p.Domain.ToLowerInvariant()).ToArray(),
            posts.Select(p => p.Grid).ToArray())
        { Posts = posts };
    }

    /// <summary>The one posts check (<see cref="GridAccess.Allows(IEnumerable{GridPost}, IEnumerable{string}?, string?, IEnumerable{string}?)"/>), any role.</summary>
    public bool CanSee(IEnumerable<string> gridPath, string domain) => Posts.Allows(null, domain, gridPath);
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
