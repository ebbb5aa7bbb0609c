using System.Collections.Concurrent;
using Grid.Contracts.Organization.V1;
using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Infrastructure;

/// <summary>A grid as fire needs it: id, name, level and ancestor path (root first, itself last).</summary>
public sealed record GridNode(string Id, string Name, string Level, string? ParentId, IReadOnlyList<string> Path);

/// <summary>Where fire learns about grids (their levels and subtrees); the organization service owns them.</summary>
public interface IGridTree
{
    Task<GridNode?> FindAsync(string gridId, CancellationToken ct);

    /// <summary>The grid and every grid below it.</summary>
    Task<IReadOnlyList<GridNode>> SubtreeAsync(string gridId, CancellationToken ct);

    /// <summary>The top grids (the county).</summary>
    Task<IReadOnlyList<GridNode>> RootsAsync(CancellationToken ct);
}

/// <summary>Configuration entry Fire:Grids:n.</summary>
public sealed class GridEntry
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Level { get; set; } = "";

    public string? Parent { get; set; }
}

/// <summary>
/// A grid tree from configuration (Fire:Grids), or, when none is configured and no organization service is
/// reachable, a generated demo county: codes shaped like administrative division codes (county 511921,
/// township 511921101, village 511921101201, small grid 51192110120101) — plausible, not real.
/// </summary>
public sealed class ConfiguredGridDirectory : IGridTree, Grid.Casework.Infrastructure.IGridDirectory
{
    private readonly Dictionary<string, GridNode> _nodes;

    public ConfiguredGridDirectory(IEnumerable<GridEntry> entries)
    {
        var list = entries.ToList();
        if (list.Count == 0)
        {
            list = DemoTree().ToList();
        }

        var byId = list.ToDictionary(e => e.Id);
        _nodes = [];
        foreach (var e in list)
        {
            var path = new List<string>();
            for (var cur = e; cur is not null; cur = cur.Parent is { } p && byId.TryGetValue(p, out var parent) ? parent : null)
            {
                path.Insert(0, cur.Id);
                if (path.Count > 16)
                {
                    throw new InvalidOperationException($"Fire:Grids has a cycle at {e.Id}");
                }
            }

            _nodes[e.Id] = new GridNode(e.Id, e.Name, e.Level, e.Parent, path);
        }
    }

    public IReadOnlyCollection<GridNode> All => _nodes.Values;

    public Task<GridNode?> FindAsync(string gridId, CancellationToken ct) =>
        Task.FromResult(_nodes.GetValueOrDefault(gridId));

    public Task<IReadOnlyList<GridNode>> SubtreeAsync(string gridId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<GridNode>>(_nodes.Values.Where(n => n.Path.Contains(gridId)).OrderBy(n => n.Id).ToList());

    public Task<IReadOnlyList<GridNode>> RootsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<GridNode>>(_nodes.Values.Where(n => n.Path.Count == 1).ToList());

    /// <summary>The escalation chain as Casework wants it: the grid first, the root last.</summary>
    public Task<IReadOnlyList<Grid.Casework.Infrastructure.GridLevel>?> GetChainAsync(string gridId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Grid.Casework.Infrastructure.GridLevel>?>(_nodes.TryGetValue(gridId, out var n)
            ? n.Path.Reverse().Select(id => new Grid.Casework.Infrastructure.GridLevel(id, id, _nodes[id].Name, [])).ToList()
            : null);

    /// <summary>No boundaries in configuration: points do not resolve; reports must name their grid.</summary>
    public Task<string?> ResolveAsync(string hierarchy, double longitude, double latitude, CancellationToken ct = default) =>
        Task.FromResult<string?>(null);

    public static IEnumerable<GridEntry> DemoTree()
    {
        const string county = "511921";
        yield return new GridEntry { Id = county, Name = "示范县", Level = GridLevels.County };
        string[] towns = ["城关镇", "龙泉镇", "白马乡"];
        string[][] villages = [["东街社区", "西街社区", "河坝村"], ["龙泉村", "石桥村", "新华村"], ["白马村", "青山村", "柳树村"]];
        for (var t = 0; t < towns.Length; t++)
        {
            var town = $"{county}{101 + t}";
            yield return new GridEntry { Id = town, Name = towns[t], Level = GridLevels.Large, Parent = county };
            for (var v = 0; v < villages[t].Length; v++)
            {
                var village = $"{town}{201 + v}";
                yield return new GridEntry { Id = village, Name = villages[t][v], Level = GridLevels.Mid, Parent = town };
                for (var s = 1; s <= 2; s++)
                {
                    yield return new GridEntry
                    {
                        Id = $"{village}{s:00}",
                        Name = $"{villages[t][v]}第{(s == 1 ? "一" : "二")}网格",
                        Level = GridLevels.Small,
                        Parent = village,
                    };
                }
            }
        }
    }
}

/// <summary>Grids from the organization service over gRPC (grid.organization.v1), cached in memory for a few minutes or until a grid changes.</summary>
public sealed class OrganizationGridDirectory(Organization.OrganizationClient client, TimeProvider time) : IGridTree, Grid.Casework.Infrastructure.IGridCache
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (GridNode? Node, DateTimeOffset At)> _cache = new();

    public async Task<GridNode?> FindAsync(string gridId, CancellationToken ct)
    {
        if (_cache.TryGetValue(gridId, out var hit) && time.GetUtcNow() - hit.At < Ttl)
        {
            return hit.Node;
        }

        GridNode? node;
        try
        {
            node = ToNode(await client.GetGridAsync(new GetGridRequest { Id = gridId }, cancellationToken: ct));
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            node = null;
        }

        _cache[gridId] = (node, time.GetUtcNow());
        return node;
    }

    /// <summary>A grid changed (GridChanged): every remembered grid, and every remembered absence, is asked for again.</summary>
    public void Forget() => _cache.Clear();

    public async Task<IReadOnlyList<GridNode>> SubtreeAsync(string gridId, CancellationToken ct)
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

    public async Task<IReadOnlyList<GridNode>> RootsAsync(CancellationToken ct)
    {
        var roots = await client.ListChildrenAsync(new ListChildrenRequest { Hierarchy = Grid.Contracts.Events.Domains.Fire }, cancellationToken: ct);
        return roots.Grids.Select(ToNode).ToList();
    }

    /// <summary>Organization names levels as the hierarchy does (大网格/中网格/小网格, 县/乡镇/村); fire speaks of large/mid/small.</summary>
    private static GridNode ToNode(GridInfo g) => new(g.Id, g.Name, g.LevelName switch
    {
        "大网格" or "乡镇" or "街道" or "large" => GridLevels.Large,
        "中网格" or "村" or "社区" or "mid" => GridLevels.Mid,
        "小网格" or "small" => GridLevels.Small,
        "县" or "区" or "county" => GridLevels.County,
        _ => g.LevelName,
    }, string.IsNullOrEmpty(g.ParentId) ? null : g.ParentId, g.Path.Count > 0 ? g.Path.ToList() : [g.Id]);
}
