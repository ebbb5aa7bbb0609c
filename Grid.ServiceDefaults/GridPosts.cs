using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// 岗位 A post: one role held in one domain on one grid (and the grids beneath it). A token carries its
/// holder's posts together, never their roles, domains and grids as separate lists, so a step is allowed only
/// when a single post allows it. "*" as domain or grid means every domain or the whole territory.
/// </summary>
public sealed record GridPost(string Role, string Domain, string Grid)
{
    public const string Everywhere = "*";

    public bool InDomain(string? domain) =>
        domain is null || Domain == Everywhere || string.Equals(Domain, domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the post's grid is the grid itself or one of its ancestors (<paramref name="gridPath"/>: root first).</summary>
    public bool OnGrid(IEnumerable<string>? gridPath) =>
        gridPath is null || Grid == Everywhere || gridPath.Contains(Grid, StringComparer.OrdinalIgnoreCase);

    public bool HoldsOneOf(IEnumerable<string>? roles) =>
        roles is null || roles.Contains(Role, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The compact form in a token, <c>role@domain:grid</c>, a grid id written as 22 base64url characters
    /// rather than 36 so that a person with dozens of posts still fits a request header.
    /// </summary>
    public override string ToString() =>
        $"{Role}@{Domain}:{(Guid.TryParse(Grid, out var id) ? Base64UrlEncoder.Encode(id.ToByteArray()) : Grid)}";

    public static GridPost? Parse(string text)
    {
        var at = text.IndexOf('@');
        var colon = text.IndexOf(':', at + 1);
        if (at <= 0 || colon <= at + 1 || colon == text.Length - 1)
        {
            return null;
        }

        var grid = text[(colon + 1)..];
        if (grid.Length == 22 && TryGuid(grid) is { } id)
        {
            grid = id.ToString();
        }

        return new GridPost(text[..at], text[(at + 1)..colon], grid);
    }

    private static Guid? TryGuid(string compact)
    {
        try
        {
            var bytes = Base64UrlEncoder.DecodeBytes(compact);
            return bytes.Length == 16 ? new Guid(bytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The one authorization question every Grid service asks: does one of the caller's posts allow this step
/// (one of <c>roles</c>), in this domain, on this grid or an ancestor of it? Routes ask it through
/// <see cref="GridPolicies"/>; a resource (a case, a place) asks it with its grid path.
/// </summary>
public static class GridAccess
{
    private static readonly ConditionalWeakTable<ClaimsPrincipal, IReadOnlyList<GridPost>> Parsed = [];

    /// <summary>The posts of the token (claim <see cref="GridClaims.Posts"/>, space separated).</summary>
    public static IReadOnlyList<GridPost> Posts(this ClaimsPrincipal user) =>
        Parsed.GetValue(user, u => u.FindAll(GridClaims.Posts)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(GridPost.Parse).OfType<GridPost>().ToList());

    /// <summary>
    /// True when one post holds one of <paramref name="roles"/> (null: any role) in <paramref name="domain"/>
    /// (null: any) on the grid whose ancestor path is <paramref name="gridPath"/> (null: anywhere).
    /// </summary>
    public static bool Allows(this ClaimsPrincipal user, IEnumerable<string>? roles, string? domain, IEnumerable<string>? gridPath = null) =>
        user.Posts().Allows(roles, domain, gridPath);

    /// <summary>The same question over posts already taken from a token (a read model filtering its rows).</summary>
    public static bool Allows(this IEnumerable<GridPost> posts, IEnumerable<string>? roles, string? domain, IEnumerable<string>? gridPath = null)
    {
        var wanted = roles as IReadOnlyCollection<string> ?? roles?.ToList();
        var path = gridPath as IReadOnlyCollection<string> ?? gridPath?.ToList();
        return posts.Any(p => p.HoldsOneOf(wanted) && p.InDomain(domain) && p.OnGrid(path));
    }

    /// <summary>True when one post holds <paramref name="role"/>, whatever its domain and grid are.</summary>
    public static bool HoldsRole(this ClaimsPrincipal user, string role) => user.Allows([role], null);

    /// <summary>
    /// The grids (subtree roots) where a post holding one of <paramref name="roles"/> in <paramref name="domain"/>
    /// applies, for filtering lists: null for the whole territory, empty for nowhere.
    /// </summary>
    public static string[]? GridsWhere(this ClaimsPrincipal user, IEnumerable<string>? roles, string? domain)
    {
        var wanted = roles as IReadOnlyCollection<string> ?? roles?.ToList();
        var posts = user.Posts().Where(p => p.HoldsOneOf(wanted) && p.InDomain(domain)).ToList();
        return posts.Any(p => p.Grid == GridPost.Everywhere) ? null : posts.Select(p => p.Grid).Distinct().ToArray();
    }

    /// <summary>The subject (sub) of the token; "unknown" when it has none.</summary>
    public static string Subject(this ClaimsPrincipal user) => user.FindFirst(GridClaims.Subject)?.Value ?? "unknown";
}
