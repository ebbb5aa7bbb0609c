using System.Text.Json;
using Dapper;
using Grid.Messaging;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;
using NetTopologySuite.IO;
using static Grid.Organization.Imports.ImportTable;

namespace Grid.Organization.Imports;

/// <summary>Grid imports from GeoJSON: check every feature, order parents first, then write each grid with its event.</summary>
public sealed partial class ImportService
{
    /// <summary>
    /// Grids from a GeoJSON FeatureCollection. Feature properties: code, name, levelName, hierarchy, parentCode
    /// (a grid in the file or already stored), households, population, keyGrid, hotline, notice.
    /// </summary>
    public async Task<ImportJob> ImportGridsAsync(ImportJob job, JsonElement collection, Func<IReadOnlyList<string>, bool> canSee)
    {
        var errors = new List<RowError>();
        if (collection.ValueKind != JsonValueKind.Object || !collection.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new RowError(0, "features", "A GeoJSON FeatureCollection with a features array is required."));
            return await FinishAsync(job, errors, 0);
        }

        var items = new List<(int Row, GridInput Input, NetTopologySuite.Geometries.Geometry Boundary)>();
        var row = 0;
        foreach (var f in features.EnumerateArray())
        {
            row++;
            var p = f.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object ? props : default;
            string? S(string name) => p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            int? I(string name) => p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
            bool? B(string name) => p.ValueKind == JsonValueKind.Object && p.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
            JsonElement? geometry = f.TryGetProperty("geometry", out var g) ? g : null;
            var input = new GridInput(S("code"), S("name"), S("levelName"), S("hierarchy"), null, S("parentCode"), geometry, I("households"), I("population"), B("keyGrid"), S("hotline"), S("notice"));
            var fe = GridRules.CheckAttributes(input.Code, input.Name, input.LevelName, input.Hierarchy, input.Households, input.Population);
            var (boundary, boundaryError) = GridRules.ParseBoundary(geometry);
            if (boundaryError is not null)
            {
                fe["geometry"] = [boundaryError];
            }

            Collect(fe, errors, row);
            if (fe.Count == 0)
            {
                items.Add((row, input, boundary!));
            }
        }

        job.Total = row;
        await using var conn = await db.OpenConnectionAsync();
        var stored = await conn.QueryAsync<(Guid Id, string Code, string Hierarchy, Guid[] Path)>(
            "SELECT id, code, hierarchy, path FROM grids WHERE code = ANY(@codes)",
            new { codes = items.SelectMany(i => new[] { i.Input.Code!, i.Input.ParentCode ?? "" }).Distinct().ToArray() });
        var known = stored.ToDictionary(s => s.Code);
        var inFile = new Dictionary<string, int>();
        foreach (var (r, input, _) in items)
        {
            if (known.ContainsKey(input.Code!))
            {
                errors.Add(new RowError(r, "code", $"Grid code {input.Code} is already taken."));
            }
            else if (!inFile.TryAdd(input.Code!, r))
            {
                errors.Add(new RowError(r, "code", $"Grid code {input.Code} already appears in feature {inFile[input.Code!]}."));
            }
        }

        // Parents first: resolve each feature's path from stored grids or features earlier in the order.
        var byCode = items.GroupBy(i => i.Input.Code!).ToDictionary(g => g.Key, g => g.First());
        var paths = new Dictionary<string, Guid[]>();
        var ids = items.GroupBy(i => i.Input.Code!).ToDictionary(g => g.Key, _ => Guid.CreateVersion7());
        var order = new List<(int Row, GridInput Input, NetTopologySuite.Geometries.Geometry Boundary)>();
        Guid[]? PathOf(string code, HashSet<string> visiting, int row)
        {
            if (paths.TryGetValue(code, out var done))
            {
                return done;
            }

            var item = byCode[code];
            if (!visiting.Add(code))
            {
                errors.Add(new RowError(row, "parentCode", $"Parent codes form a cycle through {code}."));
                return null;
            }

            Guid[] parentPath = [];
            var parentCode = item.Input.ParentCode;
            if (parentCode is not null)
            {
                if (byCode.TryGetValue(parentCode, out var parentItem))
                {
                    if (parentItem.Input.Hierarchy != item.Input.Hierarchy)
                    {
                        errors.Add(new RowError(item.Row, "parentCode", $"Parent {parentCode} belongs to hierarchy {parentItem.Input.Hierarchy}."));
                        return null;
                    }

                    var pp = PathOf(parentCode, visiting, item.Row);
                    if (pp is null)
                    {
                        return null;
                    }

                    parentPath = pp;
                }
                else if (known.TryGetValue(parentCode, out var s) && s.Hierarchy == item.Input.Hierarchy && canSee(s.Path.Select(x => x.ToString()).ToList()))
                {
                    parentPath = s.Path;
                }
                else
                {
                    errors.Add(new RowError(item.Row, "parentCode", $"Parent grid {parentCode} does not exist in the file or in hierarchy {item.Input.Hierarchy}."));
                    return null;
                }
            }
            else if (!canSee([]))
            {
                errors.Add(new RowError(item.Row, "parentCode", "Only an administrator of the whole territory may import root grids."));
                return null;
            }

            var path = parentPath.Append(ids[code]).ToArray();
            paths[code] = path;
            order.Add(item);
            return path;
        }

        foreach (var code in byCode.Keys)
        {
            PathOf(code, [], byCode[code].Row);
        }

        if (errors.Count > 0)
        {
            return await FinishAsync(job, errors.DistinctBy(e => (e.Row, e.Field, e.Message)).OrderBy(e => e.Row).ToList(), 0);
        }

        var writer = new WKBWriter();
        await using (var tx = await conn.BeginTransactionAsync())
        {
            var n = 0;
            foreach (var (_, input, boundary) in order)
            {
                var path = paths[input.Code!];
                var parentId = path.Length > 1 ? path[^2] : (Guid?)null;
                await conn.ExecuteAsync(
                    """
                    INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary, households, population, key_grid, hotline, notice)
                    VALUES (@id, @Code, @Name, @LevelName, @depth, @parentId, @Hierarchy, @path, ST_GeomFromWKB(@wkb, 4326), @households, @population, @keyGrid, @Hotline, @Notice)
                    """,
                    new
                    {
                        id = path[^1],
                        input.Code,
                        input.Name,
                        input.LevelName,
                        depth = path.Length - 1,
                        parentId,
                        input.Hierarchy,
                        path,
                        wkb = writer.Write(boundary),
                        households = input.Households ?? 0,
                        population = input.Population ?? 0,
                        keyGrid = input.KeyGrid ?? false,
                        input.Hotline,
                        input.Notice,
                    }, tx);
                await Outbox.AddAsync(conn, tx, [grids.Changed(path[^1], input.Code!, input.Hierarchy!, "created", path)]);
                if (++n % 1000 == 0)
                {
                    await ProgressAsync(job, n);
                }
            }

            await tx.CommitAsync();
        }

        await cache.InvalidateAsync();
        return await FinishAsync(job, errors, order.Count);
    }
}
