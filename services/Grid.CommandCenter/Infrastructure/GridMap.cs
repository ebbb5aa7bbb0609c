using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Dapper;
using Grid.CommandCenter.Domain;
using Npgsql;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// 网格地图: grid boundaries and names for the dashboard map and every board. The organization service is the
/// source: a hierarchy's grids are copied into <c>cc_grids</c> when the map asks for it (at most once a
/// <see cref="RefreshInterval"/>) and by <see cref="GridDirectorySync"/> in the background, so names and paths
/// are at hand for boards, rankings and exports. Boundaries can also be stored through the API or from
/// <c>Command:GridBoundariesFile</c> (a deployment without the organization service).
/// Adds open and overdue counts from the read model and drops grids outside the caller's scope.
/// </summary>
public sealed class GridMap(NpgsqlDataSource db, OrganizationDirectory organization, TimeProvider clock, ILogger<GridMap> logger)
{
    /// <summary>How old a hierarchy's copy may be before the map asks the organization again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    readonly ConcurrentDictionary<string, DateTimeOffset> syncedAt = new(StringComparer.Ordinal);
    readonly SemaphoreSlim syncGate = new(1, 1);
    (DateTimeOffset At, Dictionary<string, string> Names)? cachedNames;

    /// <summary>Stores a GeoJSON FeatureCollection whose features carry id, parentId, name, level and optionally hierarchy.</summary>
    public async Task<int> ImportAsync(JsonNode collection, CancellationToken ct)
    {
        var features = collection["features"]?.AsArray() ?? throw new ArgumentException("features");
        var rows = new List<(string Id, string? Parent, string Name, int Level, string? Hierarchy, string Geometry)>(features.Count);
        foreach (var f in features)
        {
            var p = f?["properties"];
            var id = p?["id"]?.GetValue<string>();
            var geometry = f?["geometry"];
            if (string.IsNullOrWhiteSpace(id) || geometry is null)
            {
                throw new ArgumentException($"features[{rows.Count}]");
            }

            rows.Add((id, p?["parentId"]?.GetValue<string>(), p?["name"]?.GetValue<string>() ?? id, p?["level"]?.GetValue<int>() ?? 0,
                p?["hierarchy"]?.GetValue<string>(), geometry.ToJsonString()));
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cc_grids (grid_id, parent_id, name, level, hierarchy, geometry)
            SELECT id, parent, name, level, hierarchy, geometry::jsonb
            FROM unnest(@ids, @parents, @names, @levels, @hierarchies, @geometries) AS t(id, parent, name, level, hierarchy, geometry)
            ON CONFLICT (grid_id) DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name,
                level = EXCLUDED.level, hierarchy = EXCLUDED.hierarchy, geometry = EXCLUDED.geometry
            """, new
        {
            ids = rows.Select(r => r.Id).ToArray(),
            parents = rows.Select(r => r.Parent).ToArray(),
            names = rows.Select(r => r.Name).ToArray(),
            levels = rows.Select(r => r.Level).ToArray(),
            hierarchies = rows.Select(r => r.Hierarchy).ToArray(),
            geometries = rows.Select(r => r.Geometry).ToArray(),
        }, tx, cancellationToken: ct));

        // Ancestor paths, root first, so scope checks work the same way as for cases.
        await conn.ExecuteAsync(new CommandDefinition("""
            WITH RECURSIVE t AS (
                SELECT grid_id, ARRAY[grid_id] AS path FROM cc_grids WHERE parent_id IS NULL OR parent_id NOT IN (SELECT grid_id FROM cc_grids)
                UNION ALL
                SELECT g.grid_id, t.path || g.grid_id FROM cc_grids g JOIN t ON g.parent_id = t.grid_id WHERE cardinality(t.path) < 32)
            UPDATE cc_grids g SET path = t.path FROM t WHERE g.grid_id = t.grid_id AND g.path IS DISTINCT FROM t.path
            """, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>
    /// Copies a hierarchy's grids from the organization service into <c>cc_grids</c>; false when the organization
    /// is not configured or did not answer (the stored copy stays as it was).
    /// </summary>
    public async Task<bool> SyncAsync(string hierarchy, string? bearer, CancellationToken ct)
    {
        if (!organization.Configured || await organization.HierarchyAsync(hierarchy, bearer, ct) is not { } collection)
        {
            return false;
        }

        var features = new JsonArray();
        foreach (var f in collection["features"]?.AsArray() ?? [])
        {
            if (f?["id"]?.ToString() is not { Length: > 0 } id || f["properties"] is not JsonObject p || f["geometry"] is not JsonObject geometry)
            {
                continue;
            }

            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["properties"] = new JsonObject
                {
                    ["id"] = id,
                    ["parentId"] = p["parentId"]?.ToString(),
                    ["name"] = p["name"]?.ToString() ?? id,
                    ["level"] = p["depth"]?.GetValue<int>() ?? 0,
                    ["hierarchy"] = hierarchy,
                },
                ["geometry"] = geometry.DeepClone(),
            });
        }

        await syncGate.WaitAsync(ct);
        try
        {
            var n = await ImportAsync(new JsonObject { ["features"] = features }, ct);
            syncedAt[hierarchy] = clock.GetUtcNow();
            logger.LogDebug("Copied {Count} grids of hierarchy {Hierarchy} from the organization service", n, hierarchy);
            return true;
        }
        finally
        {
            syncGate.Release();
        }
    }

    public async Task<string[]?> PathOfAsync(string gridId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string[]>(new CommandDefinition(
            "SELECT path FROM cc_grids WHERE grid_id = @gridId", new { gridId }, cancellationToken: ct));
    }

    /// <summary>
    /// The children of <paramref name="parent"/> (or the caller's top grids) in <paramref name="hierarchy"/> (any when
    /// null), with open and overdue counts, names and whether each has children to drill into.
    /// </summary>
    public async Task<JsonObject> ChildrenAsync(string? parent, string? hierarchy, UserScope scope, string? bearer, CommandQueries queries, CancellationToken ct)
    {
        if (hierarchy is not null && (!syncedAt.TryGetValue(hierarchy, out var at) || clock.GetUtcNow() - at > RefreshInterval))
        {
            await SyncAsync(hierarchy, bearer, ct);
        }

        var collection = await FromStoreAsync(parent, hierarchy, scope, ct);
        var counts = await queries.MapCountsAsync(scope, ct);
        var visible = new JsonArray();
        foreach (var f in collection)
        {
            var p = f["properties"]!.AsObject();
            var id = p["id"]!.GetValue<string>();
            var path = p["path"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();
            if (scope.Grids is not null && !path.Any(scope.Grids.Contains))
            {
                continue;
            }

            var (open, overdue) = counts.GetValueOrDefault(id);
            p["open"] = open;
            p["overdue"] = overdue;
            visible.Add(f);
        }

        return new JsonObject { ["type"] = "FeatureCollection", ["parent"] = parent, ["hierarchy"] = hierarchy, ["features"] = visible };
    }

    async Task<List<JsonObject>> FromStoreAsync(string? parent, string? hierarchy, UserScope scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // Without a parent: the roots for a user who sees everything, the scope grids themselves otherwise.
        var which = parent is not null
            ? "parent_id = @parent"
            : scope.Grids is null
                ? "(parent_id IS NULL OR parent_id NOT IN (SELECT grid_id FROM cc_grids))"
                : "grid_id = ANY(@scopes)";
        var sql = $"""
            SELECT grid_id, parent_id, name, level, path, geometry::text AS geometry,
                   EXISTS (SELECT 1 FROM cc_grids k WHERE k.parent_id = g.grid_id) AS has_children
            FROM cc_grids g WHERE {which} AND (@hierarchy::text IS NULL OR hierarchy = @hierarchy) ORDER BY name, grid_id
            """;
        var rows = await conn.QueryAsync<GridRow>(new CommandDefinition(sql, new { parent, hierarchy, scopes = scope.Grids }, cancellationToken: ct));
        return rows.Select(r => new JsonObject
        {
            ["type"] = "Feature",
            ["properties"] = new JsonObject
            {
                ["id"] = r.GridId,
                ["parentId"] = r.ParentId,
                ["name"] = r.Name,
                ["level"] = r.Level,
                ["path"] = new JsonArray(r.Path.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
                ["hasChildren"] = r.HasChildren,
            },
            ["geometry"] = JsonNode.Parse(r.Geometry),
        }).ToList();
    }

    /// <summary>Names of grids for the live feed: read at most once every few seconds however many events stream.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CachedNamesAsync(CancellationToken ct)
    {
        if (cachedNames is { } c && clock.GetUtcNow() - c.At < TimeSpan.FromSeconds(5))
        {
            return c.Names;
        }

        var names = await NamesAsync(ct);
        cachedNames = (clock.GetUtcNow(), names);
        return names;
    }

    /// <summary>Names of grids known here, for labels on boards.</summary>
    public async Task<Dictionary<string, string>> NamesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Id, string Name)>(new CommandDefinition("SELECT grid_id, name FROM cc_grids", cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => r.Name);
    }

    sealed class GridRow
    {
        public string GridId { get; init; } = "";
        public string? ParentId { get; init; }
        public string Name { get; init; } = "";
        public int Level { get; init; }
        public string[] Path { get; init; } = [];
        public string Geometry { get; init; } = "";
        public bool HasChildren { get; init; }
    }
}
