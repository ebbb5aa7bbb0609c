using System.Linq.Expressions;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The checks every endpoint of one domain service makes after authentication, over <see cref="GridAccess"/>: one post
/// of the token holds a role that may take this step, in this domain, over the grid concerned. A domain service holds
/// one, made with its domain's name; its role names stay with the domain.
/// </summary>
public sealed class DomainAccess(string domain)
{
    public string Domain { get; } = domain;

    /// <summary>Null when allowed, else the 403 problem to return, naming the claim that was missing (domain, role or grid).</summary>
    public IResult? Deny(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string>? gridPath = null)
    {
        if (!user.Allows(null, Domain))
        {
            return Forbidden($"None of the token's posts is in the {Domain} domain.", "domain");
        }

        if (!user.Allows(roles, Domain))
        {
            return Forbidden($"This step needs a {Domain} post with one of the roles: {string.Join(", ", roles)}.", "role");
        }

        if (gridPath is not null && !user.Allows(roles, Domain, gridPath))
        {
            return Forbidden($"No post with one of the roles {string.Join(", ", roles)} covers the grid.", "grid");
        }

        return null;
    }

    /// <summary>Reading: any post of this domain over the grid.</summary>
    public bool InScope(ClaimsPrincipal user, IEnumerable<string> gridPath) => user.Allows(null, Domain, gridPath);

    /// <summary>Whether a post of this domain with one of <paramref name="roles"/> covers the grid.</summary>
    public bool Covers(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string> gridPath) => user.Allows(roles, Domain, gridPath);

    /// <summary>
    /// The grids of the token's posts in this domain (holding one of <paramref name="roles"/>; null: any role) to
    /// filter lists by, or null for the whole territory.
    /// </summary>
    public string[]? ScopeFilter(ClaimsPrincipal user, IReadOnlyCollection<string>? roles = null) => user.GridsWhere(roles, Domain);

    /// <summary>
    /// The rows of <paramref name="query"/> in the caller's grid scope (<see cref="ScopeFilter"/>), filtered in SQL:
    /// the row's grid path (<paramref name="gridPath"/>, root first) overlaps the grids of the caller's posts.
    /// </summary>
    public IQueryable<T> Scoped<T>(IQueryable<T> query, ClaimsPrincipal user, Expression<Func<T, string[]>> gridPath, IReadOnlyCollection<string>? roles = null) =>
        query.WithinGrids(ScopeFilter(user, roles), gridPath);

    /// <summary>The role of the post that takes a step over the grid (the first that may), or empty.</summary>
    public string RoleFor(ClaimsPrincipal user, IReadOnlyCollection<string> roles, IEnumerable<string> gridPath) =>
        user.Posts().FirstOrDefault(p => p.HoldsOneOf(roles) && p.InDomain(Domain) && p.OnGrid(gridPath))?.Role ?? "";

    /// <summary>The name the token gives, else its subject.</summary>
    public static string ActorName(ClaimsPrincipal user) => user.FindFirst(GridClaims.Name)?.Value ?? user.Subject();

    private static IResult Forbidden(string detail, string claim) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail,
        extensions: new Dictionary<string, object?> { ["claim"] = claim });
}
