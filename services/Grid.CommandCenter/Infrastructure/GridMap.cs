using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Grid.CommandCenter.Domain;
using Npgsql;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// 网格地图: grid boundaries for the dashboard map. Asks the organization service first
/// (<c>/api/org/v1/grids/geojson</c>, with the caller's token); when it is not configured or does not
/// answer, uses the boundaries stored here (imported through the API or from <c>Command:GridBoundariesFile</c>).
/// Adds open and overdue counts from the read model and drops grids outside the caller's scope.
/// </summary>
public sealed class GridMap(NpgsqlDataSource db, IHttpClientFactory http, IConfiguration configuration, ILogger<GridMap> logger)
{
    public const string OrganizationClient = "organization";

    public bool OrganizationConfigured => !string.IsNullOrEmpty(configuration["services:organization:http:0"]);

    /// <summary>Stores a GeoJSON FeatureCollection whose features carry id, parentId, name and level.</summary>
    public async Task<int> ImportAsync(JsonNode collection, CancellationToken ct)
    {
        var features = collection["features"]?.AsArray() ?? throw new ArgumentException("features");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var n = 0;
        foreach (var f in features)
        {
            var p = f?["properties"];
            var id = p?["id"]?.GetValue<string>();
            var geometry = f?["geometry"];
            if (string.IsNullOrWhiteSpace(id) || geometry is null)
            {
                throw new ArgumentException($"features[{n}]");
            }

            await conn.ExecuteAsync("""
                INSERT INTO cc_grids (grid_id, parent_id, name, level, geometry) VALUES (@id, @parent, @name, @level, @geometry::jsonb)
                ON CONFLICT (grid_id) DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name,
                    level = EXCLUDED.level, geometry = EXCLUDED.geometry
                """, new
            {
                id,
                parent = p?["parentId"]?.GetValue<string>(),
                name = p?["name"]?.GetValue<string>() ?? id,
                level = p?["level"]?.GetValue<int>() ?? 0,
                geometry = geometry.ToJsonString(),
            }, tx);
            n++;
        }

        // Ancestor paths, root first, so scope checks work the same way as for cases.
        await conn.ExecuteAsync("""
            WITH RECURSIVE t AS (
                SELECT grid_id, ARRAY[grid_id] AS path FROM cc_grids WHERE parent_id IS NULL OR parent_id NOT IN (SELECT grid_id FROM cc_grids)
                UNION ALL
                SELECT g.grid_id, t.path || g.grid_id FROM cc_grids g JOIN t ON g.parent_id = t.grid_id WHERE cardinality(t.path) < 32)
            UPDATE cc_grids g SET path = t.path FROM t WHERE g.grid_id = t.grid_id
            """, transaction: tx);
        await tx.CommitAsync(ct);
        return n;
    }

    public async Task<string[]?> PathOfAsync(string gridId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string[]>(new CommandDefinition(
            "SELECT path FROM cc_grids WHERE grid_id = @gridId", new { gridId }, cancellationToken: ct));
    }

    public async Task<JsonObject> ChildrenAsync(string? parent, UserScope scope, string? bearer, CommandQueries queries, CancellationToken ct)
    {
        var collection = await FromOrganizationAsync(parent, bearer, ct) ?? await FromStoreAsync(parent, scope, ct);
        var counts = await queries.MapCountsAsync(scope, ct);
        var visible = new JsonArray();
        foreach (var f in collection["features"]?.AsArray().ToList() ?? [])
        {
            if (f?["properties"] is not JsonObject p || p["id"]?.GetValue<string>() is not { } id)
            {
                continue;
            }

            var path = p["path"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToArray() : [id];
            if (scope.Grids is not null && !path.Any(scope.Grids.Contains))
            {
                continue;
            }

            var (open, overdue) = counts.GetValueOrDefault(id);
            p["open"] = open;
            p["overdue"] = overdue;
            f.AsObject().Parent?.AsArray().Remove(f);
            visible.Add(f);
        }

        return new JsonObject { ["type"] = "FeatureCollection", ["parent"] = parent, ["features"] = visible };
    }

    async Task<JsonObject?> FromOrganizationAsync(string? parent, string? bearer, CancellationToken ct)
    {
        if (!OrganizationConfigured)
        {
            return null;
        }

        try
        {
            var client = http.CreateClient(OrganizationClient);
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"/api/org/v1/grids/geojson?parent={Uri.EscapeDataString(parent ?? "")}");
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await client.SendAsync(request, cts.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogInformation("Organization answered {Status} for grid boundaries; using stored ones", response.StatusCode);
                return null;
            }

            var node = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cts.Token), cancellationToken: cts.Token);
            return node as JsonObject;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            logger.LogInformation(ex, "Organization grid boundaries unavailable; using stored ones");
            return null;
        }
    }

    async Task<JsonObject> FromStoreAsync(string? parent, UserScope scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // Without a parent: the roots for a user who sees everything, the scope grids themselves otherwise.
        var sql = parent is not null
            ? "SELECT grid_id, parent_id, name, level, path, geometry::text AS geometry, EXISTS (SELECT 1 FROM cc_grids k WHERE k.parent_id = g.grid_id) AS has_children FROM cc_grids g WHERE parent_id = @parent ORDER BY grid_id"
            : scope.Grids is null
                ? "SELECT grid_id, parent_id, name, level, path, geometry::text AS geometry, EXISTS (SELECT 1 FROM cc_grids k WHERE k.parent_id = g.grid_id) AS has_children FROM cc_grids g WHERE parent_id IS NULL OR parent_id NOT IN (SELECT grid_id FROM cc_grids) ORDER BY grid_id"
                : "SELECT grid_id, parent_id, name, level, path, geometry::text AS geometry, EXISTS (SELECT 1 FROM cc_grids k WHERE k.parent_id = g.grid_id) AS has_children FROM cc_grids g WHERE grid_id = ANY(@scopes) ORDER BY grid_id";
        var rows = await conn.QueryAsync<GridRow>(new CommandDefinition(sql, new { parent, scopes = scope.Grids }, cancellationToken: ct));
        var features = new JsonArray();
        foreach (var r in rows)
        {
            features.Add(new JsonObject
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
            });
        }

        return new JsonObject { ["type"] = "FeatureCollection", ["features"] = features };
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
