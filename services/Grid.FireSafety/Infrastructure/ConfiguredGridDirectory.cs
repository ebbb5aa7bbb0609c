using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Infrastructure;

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
public sealed class ConfiguredGridDirectory : IGridDirectory
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

    public Task<GridNode?> FindAsync(string gridId, CancellationToken ct = default) =>
        Task.FromResult(_nodes.GetValueOrDefault(gridId));

    public Task<IReadOnlyList<GridNode>> SubtreeAsync(string gridId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<GridNode>>(_nodes.Values.Where(n => n.Path.Contains(gridId)).OrderBy(n => n.Id).ToList());

    /// <summary>One tree in configuration: its roots whichever hierarchy is asked for.</summary>
    public Task<IReadOnlyList<GridNode>> RootsAsync(string hierarchy, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<GridNode>>(_nodes.Values.Where(n => n.Path.Count == 1).ToList());

    /// <summary>The escalation chain as Casework wants it: the grid first, the root last.</summary>
    public Task<IReadOnlyList<GridLevel>?> GetChainAsync(string gridId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<GridLevel>?>(_nodes.TryGetValue(gridId, out var n)
            ? n.Path.Reverse().Select(id => new GridLevel(id, id, _nodes[id].Name, [])).ToList()
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
