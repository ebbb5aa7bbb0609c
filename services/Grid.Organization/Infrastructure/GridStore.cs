using System.Text.Json;
using Dapper;
using Grid.Contracts.Events;
using Grid.Messaging;
using Grid.Organization.Domain;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;

namespace Grid.Organization.Infrastructure;

/// <summary>What a client sends to create or replace a grid.</summary>
public sealed record GridInput(
    string? Code,
    string? Name,
    string? LevelName,
    string? Hierarchy,
    Guid? ParentId,
    string? ParentCode,
    JsonElement? Boundary,
    int? Households,
    int? Population,
    bool? KeyGrid,
    string? Hotline,
    string? Notice);

/// <summary>Staff holding a post on a grid, as the responsibility queries return them.</summary>
public sealed class ResponsibleRow
{
    public Guid GridId { get; set; }

    public Guid StaffId { get; set; }

    public string Name { get; set; } = "";

    public string Role { get; set; } = "";

    public string Domain { get; set; } = "";

    public string Phone { get; set; } = "";

    public Guid? DepartmentId { get; set; }

    public DateTime ValidFrom { get; set; }

    public DateTime? ValidTo { get; set; }
}

/// <summary>Sibling overlaps, uncovered parent area and children outside their parent ("不遗漏、不交叉").</summary>
public sealed record CoverageReport(string Hierarchy, IReadOnlyList<CoverageOverlap> Overlaps, IReadOnlyList<CoverageGap> Gaps, IReadOnlyList<CoverageOverhang> Overhangs)
{
    public bool Clean => Overlaps.Count == 0 && Gaps.Count == 0 && Overhangs.Count == 0;
}

public sealed record CoverageOverlap(string? ParentCode, string GridCode, string OtherGridCode, double AreaSquareMetres);

public sealed record CoverageGap(string ParentCode, double UncoveredSquareMetres, double UncoveredShare);

public sealed record CoverageOverhang(string ParentCode, string GridCode, double OutsideSquareMetres);

/// <summary>Grids in PostgreSQL/PostGIS: reads, rule-checked writes with their GridChanged event, spatial queries.</summary>
public sealed class GridStore(NpgsqlDataSource db, OrganizationCache cache, TimeProvider clock)
{
    public const string Columns = "id, code, name, level_name, depth, parent_id, hierarchy, path, households, population, key_grid, hotline, notice, updated_at";

    /// <summary>Areas below this many square metres are floating-point noise, not a gap or overlap.</summary>
    private const double NoiseSquareMetres = 0.5;

    public async Task<GridArea?> GetAsync(Guid id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<GridArea>($"SELECT {Columns} FROM grids WHERE id = @id", new { id });
    }

    public async Task<GridArea?> GetByCodeAsync(string code)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<GridArea>($"SELECT {Columns} FROM grids WHERE code = @code", new { code });
    }

    /// <summary>
    /// The lowest grid of the hierarchy whose boundary covers the point. A point on an edge shared by
    /// siblings belongs to the one with the smallest code, so the answer never depends on row order.
    /// </summary>
    public async Task<GridArea?> ResolveAsync(string hierarchy, double longitude, double latitude)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<GridArea>(
            $"""
            SELECT {Columns} FROM grids
            WHERE hierarchy = @hierarchy AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(@longitude, @latitude), 4326))
            ORDER BY depth DESC, code LIMIT 1
            """,
            new { hierarchy, longitude, latitude });
    }

    public async Task<IReadOnlyList<GridArea>> ChildrenAsync(Guid? parentId, string? hierarchy = null)
    {
        await using var conn = await db.OpenConnectionAsync();
        var rows = parentId is null
            ? await conn.QueryAsync<GridArea>($"SELECT {Columns} FROM grids WHERE parent_id IS NULL AND (@hierarchy::text IS NULL OR hierarchy = @hierarchy) ORDER BY code", new { hierarchy })
            : await conn.QueryAsync<GridArea>($"SELECT {Columns} FROM grids WHERE parent_id = @parentId ORDER BY code", new { parentId });
        return rows.AsList();
    }

    /// <summary>The grid and its ancestors, the grid first and the root last.</summary>
    public async Task<IReadOnlyList<GridArea>> ChainAsync(GridArea grid)
    {
        await using var conn = await db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<GridArea>($"SELECT {Columns} FROM grids WHERE id = ANY(@ids)", new { ids = grid.Path })).ToDictionary(g => g.Id);
        return grid.Path.Reverse().Where(rows.ContainsKey).Select(id => rows[id]).ToList();
    }

    /// <summary>Staff holding a post on any of the grids now, optionally for one domain and role.</summary>
    public async Task<IReadOnlyList<ResponsibleRow>> ResponsibleAsync(IReadOnlyCollection<Guid> gridIds, string? domain, string? role)
    {
        await using var conn = await db.OpenConnectionAsync();
        var rows = await conn.QueryAsync<ResponsibleRow>(
            """
            SELECT a.grid_id, s.id AS staff_id, s.name, a.role, a.domain, s.phone, s.department_id, a.valid_from, a.valid_to
            FROM assignments a JOIN staff s ON s.id = a.staff_id
            WHERE a.grid_id = ANY(@ids) AND a.valid_from <= @now AND (a.valid_to IS NULL OR a.valid_to > @now)
              AND (@domain::text IS NULL OR a.domain = @domain) AND (@role::text IS NULL OR a.role = @role)
            ORDER BY a.grid_id, a.role, s.name
            """,
            new { ids = gridIds.ToArray(), now = clock.GetUtcNow().UtcDateTime, domain, role });
        return rows.AsList();
    }

    /// <summary>Creates (id null) or replaces a grid. Rule violations throw <see cref="OrgRuleException"/> before anything is written.</summary>
    public async Task<GridArea> SaveAsync(Guid? id, GridInput input, Geometry boundary, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var existing = id is null ? null : await conn.QuerySingleOrDefaultAsync<GridArea>(
            $"SELECT {Columns} FROM grids WHERE id = @id FOR UPDATE", new { id }, tx);
        if (id is not null && (existing is null || !canSee(existing.PathStrings)))
        {
            throw OrgRuleException.NotFound("id", $"Grid {id} does not exist.");
        }

        if (existing is not null && existing.Hierarchy != input.Hierarchy)
        {
            throw OrgRuleException.Invalid("hierarchy", $"A grid cannot move from hierarchy {existing.Hierarchy} to {input.Hierarchy}.");
        }

        GridArea? parent = null;
        if (input.ParentId is not null || !string.IsNullOrEmpty(input.ParentCode))
        {
            var field = input.ParentId is not null ? "parentId" : "parentCode";
            parent = await conn.QuerySingleOrDefaultAsync<GridArea>(
                $"SELECT {Columns} FROM grids WHERE id = @ParentId OR (@ParentId::uuid IS NULL AND code = @ParentCode)",
                new { input.ParentId, input.ParentCode }, tx);
            if (parent is null || !canSee(parent.PathStrings))
            {
                throw OrgRuleException.Invalid(field, $"Parent grid {(object?)input.ParentId ?? input.ParentCode} does not exist.");
            }

            if (parent.Hierarchy != input.Hierarchy)
            {
                throw OrgRuleException.Invalid(field, $"The parent belongs to hierarchy {parent.Hierarchy}, not {input.Hierarchy}.");
            }

            if (existing is not null && GridRules.WouldCycle(existing.Id, parent.Path))
            {
                throw OrgRuleException.Invalid(field, $"Grid {parent.Code} is {existing.Code} itself or one of its descendants; the tree would become a cycle.");
            }
        }
        else if (!canSee([]))
        {
            throw OrgRuleException.Invalid("parentId", "Only an administrator of the whole territory may create or move a root grid.");
        }

        if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM grids WHERE code = @Code AND id <> @id)", new { input.Code, id = id ?? Guid.Empty }, tx))
        {
            throw OrgRuleException.Conflict("code", $"Grid code {input.Code} is already taken.");
        }

        var gridId = id ?? Guid.CreateVersion7();
        var path = (parent?.Path ?? []).Append(gridId).ToArray();
        var args = new
        {
            id = gridId,
            input.Code,
            input.Name,
            input.LevelName,
            depth = path.Length - 1,
            parentId = parent?.Id,
            input.Hierarchy,
            path,
            wkb = new WKBWriter().Write(boundary),
            households = input.Households ?? 0,
            population = input.Population ?? 0,
            keyGrid = input.KeyGrid ?? false,
            input.Hotline,
            input.Notice,
            now = clock.GetUtcNow().UtcDateTime,
        };
        try
        {
            if (existing is null)
            {
                await conn.ExecuteAsync(
                    """
                    INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary, households, population, key_grid, hotline, notice, updated_at)
                    VALUES (@id, @Code, @Name, @LevelName, @depth, @parentId, @Hierarchy, @path, ST_GeomFromWKB(@wkb, 4326), @households, @population, @keyGrid, @Hotline, @Notice, @now)
                    """, args, tx);
            }
            else
            {
                await conn.ExecuteAsync(
                    """
                    UPDATE grids SET code = @Code, name = @Name, level_name = @LevelName, parent_id = @parentId,
                        boundary = ST_GeomFromWKB(@wkb, 4326), households = @households, population = @population,
                        key_grid = @keyGrid, hotline = @Hotline, notice = @Notice, updated_at = @now
                    WHERE id = @id
                    """, args, tx);
                if (existing.ParentId != parent?.Id)
                {
                    // Re-parented: the grid and its whole subtree get the new ancestor prefix.
                    await conn.ExecuteAsync(
                        """
                        UPDATE grids SET path = @path || path[array_position(path, @id) + 1:],
                                         depth = cardinality(@path || path[array_position(path, @id) + 1:]) - 1
                        WHERE path @> ARRAY[@id]::uuid[]
                        """, new { id = gridId, path }, tx);
                }
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw OrgRuleException.Conflict("code", $"Grid code {input.Code} is already taken.");
        }

        await Outbox.AddAsync(conn, tx, [Changed(gridId, input.Code!, input.Hierarchy!, existing is null ? "created" : "updated", path)]);
        await tx.CommitAsync();
        await cache.InvalidateAsync();
        return (await GetAsync(gridId))!;
    }

    public async Task DeleteAsync(Guid id, Func<IReadOnlyList<string>, bool> canSee)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var grid = await conn.QuerySingleOrDefaultAsync<GridArea>($"SELECT {Columns} FROM grids WHERE id = @id FOR UPDATE", new { id }, tx);
        if (grid is null || !canSee(grid.PathStrings))
        {
            throw OrgRuleException.NotFound("id", $"Grid {id} does not exist.");
        }

        if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM grids WHERE parent_id = @id)", new { id }, tx))
        {
            throw OrgRuleException.Conflict("id", $"Grid {grid.Code} still has child grids; move or delete them first.");
        }

        if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM subjects WHERE grid_id = @id) OR EXISTS (SELECT 1 FROM departments WHERE grid_id = @id)", new { id }, tx))
        {
            throw OrgRuleException.Conflict("id", $"Grid {grid.Code} still has regulated subjects or departments.");
        }

        await conn.ExecuteAsync("DELETE FROM grids WHERE id = @id", new { id }, tx);
        await Outbox.AddAsync(conn, tx, [Changed(grid.Id, grid.Code, grid.Hierarchy, "deleted", grid.Path)]);
        await tx.CommitAsync();
        await cache.InvalidateAsync();
    }

    public GridChanged Changed(Guid id, string code, string hierarchy, string change, IEnumerable<Guid> path) => new()
    {
        GridId = id.ToString(),
        GridCode = code,
        Change = change,
        Domain = hierarchy,
        OccurredAt = clock.GetUtcNow(),
        GridPath = path.Select(p => p.ToString()).ToList(),
    };

    /// <summary>"不遗漏、不交叉": overlapping siblings, parent area no child covers, children reaching outside their parent.</summary>
    public async Task<CoverageReport> CoverageAsync(string hierarchy, Guid? under)
    {
        await using var conn = await db.OpenConnectionAsync();
        var scope = new { hierarchy, under, noise = NoiseSquareMetres };
        var overlaps = await conn.QueryAsync<CoverageOverlap>(
            """
            SELECT p.code AS ParentCode, a.code AS GridCode, b.code AS OtherGridCode,
                   ST_Area(ST_Intersection(a.boundary, b.boundary)::geography) AS AreaSquareMetres
            FROM grids a
            JOIN grids b ON b.hierarchy = a.hierarchy AND a.parent_id IS NOT DISTINCT FROM b.parent_id AND a.code < b.code
                        AND a.boundary && b.boundary AND ST_Relate(a.boundary, b.boundary, '2********')
            LEFT JOIN grids p ON p.id = a.parent_id
            WHERE a.hierarchy = @hierarchy AND (@under::uuid IS NULL OR a.path @> ARRAY[@under]::uuid[])
            ORDER BY 1, 2, 3
            """, scope);
        var gaps = await conn.QueryAsync<CoverageGap>(
            """
            SELECT code AS ParentCode, uncovered AS UncoveredSquareMetres, uncovered / NULLIF(total, 0) AS UncoveredShare FROM (
                SELECT p.code, ST_Area(p.boundary::geography) AS total,
                       ST_Area(ST_Difference(p.boundary, ST_Union(c.boundary))::geography) AS uncovered
                FROM grids p JOIN grids c ON c.parent_id = p.id
                WHERE p.hierarchy = @hierarchy AND (@under::uuid IS NULL OR p.path @> ARRAY[@under]::uuid[])
                GROUP BY p.id, p.code, p.boundary) t
            WHERE uncovered > @noise ORDER BY 1
            """, scope);
        var overhangs = await conn.QueryAsync<CoverageOverhang>(
            """
            SELECT p.code AS ParentCode, c.code AS GridCode, ST_Area(ST_Difference(c.boundary, p.boundary)::geography) AS OutsideSquareMetres
            FROM grids c JOIN grids p ON p.id = c.parent_id
            WHERE c.hierarchy = @hierarchy AND (@under::uuid IS NULL OR c.path @> ARRAY[@under]::uuid[])
              AND NOT ST_Covers(p.boundary, c.boundary) AND ST_Area(ST_Difference(c.boundary, p.boundary)::geography) > @noise
            ORDER BY 1, 2
            """, scope);
        return new CoverageReport(hierarchy, overlaps.AsList(), gaps.AsList(), overhangs.AsList());
    }

    /// <summary>A GeoJSON FeatureCollection of the grids of a hierarchy (optionally the children of one grid), built by PostGIS.</summary>
    public async Task<string> FeatureCollectionAsync(string hierarchy, Guid? parent, bool rootsOnly)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>(
            """
            SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature', 'id', g.id,
                'geometry', ST_AsGeoJSON(g.boundary, 7)::json,
                'properties', json_build_object('code', g.code, 'name', g.name, 'levelName', g.level_name, 'depth', g.depth,
                    'parentId', g.parent_id, 'hierarchy', g.hierarchy, 'keyGrid', g.key_grid, 'households', g.households,
                    'population', g.population)) ORDER BY g.code), '[]'::json))::text
            FROM grids g
            WHERE g.hierarchy = @hierarchy
              AND (@parent::uuid IS NOT NULL AND g.parent_id = @parent OR @parent::uuid IS NULL AND (NOT @rootsOnly OR g.parent_id IS NULL))
            """, new { hierarchy, parent, rootsOnly }) ?? """{"type":"FeatureCollection","features":[]}""";
    }

    public async Task<string?> BoundaryGeoJsonAsync(Guid id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string?>("SELECT ST_AsGeoJSON(boundary, 7) FROM grids WHERE id = @id", new { id });
    }
}
