using System.Collections.Concurrent;
using Grid.Contracts.Organization.V1;
using Grpc.Core;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 网格: the grid tree as the organization service keeps it, the one client every service asks — escalation chains,
/// grid by point, a grid and its subtree.
/// </summary>
public interface IGridDirectory
{
    /// <summary>One grid with its level and ancestor path; null when unknown.</summary>
    Task<GridNode?> FindAsync(string gridId, CancellationToken ct = default);

    /// <summary>The grid and every grid below it, the grid first.</summary>
    Task<IReadOnlyList<GridNode>> SubtreeAsync(string gridId, CancellationToken ct = default);

    /// <summary>The top grids (the county) of a domain's hierarchy.</summary>
    Task<IReadOnlyList<GridNode>> RootsAsync(string hierarchy, CancellationToken ct = default);

    /// <summary>The grid and its ancestors, the grid first and the root last, each with its responsible staff; null when unknown.</summary>
    Task<IReadOnlyList<GridLevel>?> GetChainAsync(string gridId, CancellationToken ct = default);

    /// <summary>The lowest grid of a domain's hierarchy containing the point; null when none does.</summary>
    Task<string?> ResolveAsync(string hierarchy, double longitude, double latitude, CancellationToken ct = default);

    /// <summary>Drops whatever it cached (a GridChanged event arrived); nothing to do for a directory without a cache.</summary>
    void Forget()
    {
    }
}

/// <summary>
/// Anything else in a service that remembers grids (a domain's own grid tree) and must forget them when the
/// organization announces a change (网格变更); register it in DI and <c>GridChangedConsumer</c> calls it.
/// </summary>
public interface IGridCache
{
    void Forget();
}

/// <summary>职能部门: the departments a case may summon (吹哨), as the organization service knows them.</summary>
public interface IDepartmentDirectory
{
    /// <summary>The department with this id or code; null when the organization knows none.</summary>
    Task<DepartmentRef?> FindAsync(string idOrCode, CancellationToken ct = default);
}

/// <summary>A service run without the organization service (its grids from configuration) knows no department.</summary>
public sealed class NoDepartmentDirectory : IDepartmentDirectory
{
    public Task<DepartmentRef?> FindAsync(string idOrCode, CancellationToken ct = default) => Task.FromResult<DepartmentRef?>(null);
}

/// <summary>A department as a summons records it: its id (canonical), code and name.</summary>
public sealed record DepartmentRef(string Id, string Code, string Name, string Domain);

/// <summary><see cref="IDepartmentDirectory"/> over the organization's gRPC API, the same client the grid directory uses.</summary>
public sealed class GrpcDepartmentDirectory(Organization.OrganizationClient client) : IDepartmentDirectory
{
    public async Task<DepartmentRef?> FindAsync(string idOrCode, CancellationToken ct = default)
    {
        var request = Guid.TryParse(idOrCode, out _) ? new GetDepartmentRequest { Id = idOrCode } : new GetDepartmentRequest { Code = idOrCode };
        try
        {
            var d = await client.GetDepartmentAsync(request, cancellationToken: ct);
            return new DepartmentRef(d.Id, d.Code, d.Name, d.Domain);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }
}

/// <summary>
/// A grid: id, name, level (<see cref="GridLevelNames"/>: county, large, mid, small, or the organization's own
/// name for any other), parent and ancestor path (root first, itself last).
/// </summary>
public sealed record GridNode(string Id, string Name, string Level, string? ParentId, IReadOnlyList<string> Path);

/// <summary>The levels of a grid tree (县 / 大网格 / 中网格 / 小网格) in the words the domains' rules use.</summary>
public static class GridLevelNames
{
    public const string County = "county";
    public const string Large = "large";
    public const string Mid = "mid";
    public const string Small = "small";

    /// <summary>The organization names levels as each hierarchy does (大网格/中网格/小网格, 县/乡镇/村).</summary>
    public static string Of(string organizationLevel) => organizationLevel switch
    {
        "大网格" or "乡镇" or "街道" or Large => Large,
        "中网格" or "村" or "社区" or Mid => Mid,
        "小网格" or Small => Small,
        "县" or "区" or County => County,
        _ => organizationLevel,
    };
}

public sealed record GridLevel(string GridId, string Code, string Name, IReadOnlyList<ResponsiblePerson> Responsible)
{
    /// <summary>The grid chief as breach records name them (<c>grid-chief:&lt;id&gt; &lt;name&gt;</c>), or null without one.</summary>
    public string? Chief() =>
        Responsible.FirstOrDefault(p => p.Role == Grid.Casework.Domain.CaseRoles.GridChief) is { } p ? $"{p.Role}:{p.Id} {p.Name}".Trim() : null;
}

/// <summary>A person accountable for a grid (网格长, 网格员 ...).</summary>
public sealed record ResponsiblePerson(string Id, string Name, string Role);

/// <summary>
/// <see cref="IGridDirectory"/> over the organization service's gRPC API (grid.organization.v1), with a short
/// in-memory cache of chains and grids (absences too): they change rarely, every report and escalation needs a
/// chain, and a GridChanged event clears it all.
/// </summary>
public sealed class GrpcGridDirectory(Organization.OrganizationClient client, CaseworkOptions options, TimeProvider time) : IGridDirectory
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<GridLevel> Chain)> _chains = new();
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, GridNode? Node)> _grids = new();

    public async Task<IReadOnlyList<GridLevel>?> GetChainAsync(string gridId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (_chains.TryGetValue(gridId, out var hit) && Fresh(hit.At, now))
        {
            return hit.Chain;
        }

        try
        {
            var chain = await client.GetAncestorsAsync(new GetAncestorsRequest { GridId = gridId, IncludeStaff = true }, cancellationToken: ct);
            var levels = chain.Levels
                .Select(l => new GridLevel(l.Grid.Id, l.Grid.Code, l.Grid.Name,
                    l.Responsible.Select(s => new ResponsiblePerson(s.Id, s.Name, s.Role)).ToList()))
                .ToList();
            if (levels.Count == 0)
            {
                return null;
            }

            _chains[gridId] = (now, levels);
            return levels;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }

    public async Task<string?> ResolveAsync(string hierarchy, double longitude, double latitude, CancellationToken ct = default)
    {
        try
        {
            var grid = await client.ResolveGridByPointAsync(
                new ResolveGridByPointRequest { Hierarchy = hierarchy, Longitude = longitude, Latitude = latitude }, cancellationToken: ct);
            return string.IsNullOrEmpty(grid.Id) ? null : grid.Id;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }

    public async Task<GridNode?> FindAsync(string gridId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (_grids.TryGetValue(gridId, out var hit) && Fresh(hit.At, now))
        {
            return hit.Node;
        }

        GridNode? node;
        try
        {
            node = ToNode(await client.GetGridAsync(new GetGridRequest { Id = gridId }, cancellationToken: ct));
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            node = null;
        }

        _grids[gridId] = (now, node);
        return node;
    }

    public async Task<IReadOnlyList<GridNode>> SubtreeAsync(string gridId, CancellationToken ct = default)
    {
        var result = new List<GridNode>();
        if (await FindAsync(gridId, ct) is not { } root)
        {
            return result;
        }

        var queue = new Queue<GridNode>([root]);
        while (queue.Count > 0 && result.Count < 10_000)
        {
            var n = queue.Dequeue();
            result.Add(n);
            var children = await client.ListChildrenAsync(new ListChildrenRequest { GridId = n.Id }, cancellationToken: ct);
            foreach (var c in children.Grids)
            {
                queue.Enqueue(ToNode(c));
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<GridNode>> RootsAsync(string hierarchy, CancellationToken ct = default)
    {
        var roots = await client.ListChildrenAsync(new ListChildrenRequest { Hierarchy = hierarchy }, cancellationToken: ct);
        return roots.Grids.Select(ToNode).ToList();
    }

    /// <summary>A grid changed (GridChanged): every remembered chain, grid and absence is asked for again.</summary>
    public void Forget()
    {
        _chains.Clear();
        _grids.Clear();
    }

    private bool Fresh(DateTimeOffset at, DateTimeOffset now) => now - at < options.GridCacheDuration && now >= at;

    private static GridNode ToNode(GridInfo g) => new(g.Id, g.Name, GridLevelNames.Of(g.LevelName),
        string.IsNullOrEmpty(g.ParentId) ? null : g.ParentId, g.Path.Count > 0 ? g.Path.ToList() : [g.Id]);
}
