using NetTopologySuite.Geometries;
using NetTopologySuite.Index;
using NetTopologySuite.Index.Strtree;

namespace Grid.Organization.Domain;

/// <summary>One grid as the point index holds it: the grid, its place in the database's code order, and its boundary.</summary>
/// <param name="Rank">Position in <c>ORDER BY code</c> as the database collates it (ties on an edge go to the lowest).</param>
/// <param name="Shape">Null when the boundary is not a Polygon or MultiPolygon: the database must answer for it.</param>
public sealed record IndexedGrid(GridArea Grid, int Rank, GridShape? Shape, Envelope Box);

/// <summary>What the index can say about a point.</summary>
public readonly record struct PointAnswer(bool Known, GridArea? Grid)
{
    /// <summary>The index cannot answer (not loaded, a change not yet applied, a boundary it cannot test): ask the database.</summary>
    public static PointAnswer Unknown => new(false, null);
}

/// <summary>
/// 网格空间索引 An immutable snapshot of one hierarchy's boundaries at one version, in an STR-tree: the lowest grid
/// covering a point, exactly as <c>ST_Covers … ORDER BY depth DESC, code LIMIT 1</c> answers. Readers share it
/// without locks; a change builds a new snapshot and swaps it in.
/// </summary>
public sealed class GridPointIndex
{
    private readonly STRtree<IndexedGrid> _tree;

    public GridPointIndex(string hierarchy, long version, IReadOnlyList<IndexedGrid> grids)
    {
        Hierarchy = hierarchy;
        Version = version;
        Count = grids.Count;
        _tree = new STRtree<IndexedGrid>();
        foreach (var g in grids.Where(g => g.Shape is null || !g.Shape.IsEmpty))
        {
            _tree.Insert(g.Box, g);
        }

        // STRtree builds itself on the first query, which is not safe with concurrent readers: build it now.
        _tree.Build();
    }

    public string Hierarchy { get; }

    /// <summary>The hierarchy's change counter (<c>grid_versions</c>) the snapshot was read at.</summary>
    public long Version { get; }

    public int Count { get; }

    public PointAnswer Resolve(double longitude, double latitude)
    {
        var visitor = new Deepest(longitude, latitude);
        _tree.Query(new Envelope(longitude, longitude, latitude, latitude), visitor);
        return visitor.CannotTell ? PointAnswer.Unknown : new PointAnswer(true, visitor.Best?.Grid);
    }

    private sealed class Deepest(double x, double y) : IItemVisitor<IndexedGrid>
    {
        public IndexedGrid? Best { get; private set; }

        public bool CannotTell { get; private set; }

        public void VisitItem(IndexedGrid item)
        {
            if (item.Shape is null)
            {
                CannotTell = true;
                return;
            }

            if ((Best is null || item.Grid.Depth > Best.Grid.Depth || (item.Grid.Depth == Best.Grid.Depth && item.Rank < Best.Rank)) && item.Shape.Covers(x, y))
            {
                Best = item;
            }
        }
    }
}
