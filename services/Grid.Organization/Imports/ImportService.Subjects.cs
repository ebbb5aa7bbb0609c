using Dapper;
using Grid.Organization.Domain;
using NpgsqlTypes;
using static Grid.Organization.Imports.ImportTable;

namespace Grid.Organization.Imports;

/// <summary>Regulated-subject imports: check every row, place the ungridded by their point, then write with binary COPY.</summary>
public sealed partial class ImportService
{
    /// <summary>
    /// Regulated subjects. Columns: creditCode, name, kind, category, domain, address, longitude, latitude, gridCode.
    /// Without gridCode the subject goes to the lowest comprehensive grid containing its point.
    /// </summary>
    public async Task<ImportJob> ImportSubjectsAsync(ImportJob job, List<Dictionary<string, string>> rows, Func<IReadOnlyList<string>, bool> canSee)
    {
        var errors = new List<RowError>();
        await using var conn = await db.OpenConnectionAsync();
        var gridsByCode = await GridsByCodeAsync(conn, rows.Select(r => Cell(r, "gridCode") ?? ""));
        var codes = rows.Select(r => Cell(r, "creditCode")).OfType<string>().Distinct().ToArray();
        var existing = (await conn.QueryAsync<string>("SELECT credit_code FROM subjects WHERE credit_code = ANY(@codes)", new { codes })).ToHashSet();
        var creditCodes = new UniqueColumn("creditCode", "Credit code", existing, "is already registered");
        var parsed = new List<(int Line, string? Code, string Name, string Kind, string Category, string Domain, string Address, double? Lon, double? Lat, GridRef? Grid)>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var line = i + 2;
            var before = errors.Count;
            var lon = Number(r, "longitude", errors, line);
            var lat = Number(r, "latitude", errors, line);
            var fe = new Dictionary<string, string[]>();
            var code = Cell(r, "creditCode");
            StaffRules.CheckSubject(fe, code, Cell(r, "name"), Cell(r, "kind"), Cell(r, "category"), Cell(r, "domain"), lon, lat);
            Collect(fe, errors, line);
            if (code is not null && !fe.ContainsKey("creditCode"))
            {
                creditCodes.Check(code, line, errors);
            }

            GridRef? grid = null;
            if (Cell(r, "gridCode") is { } gc && (!gridsByCode.TryGetValue(gc, out grid) || !canSee(grid.Path.Select(p => p.ToString()).ToList())))
            {
                errors.Add(new RowError(line, "gridCode", $"Grid {gc} does not exist."));
            }

            if (errors.Count == before)
            {
                parsed.Add((line, code, Cell(r, "name")!, Cell(r, "kind")!, Cell(r, "category")!, Cell(r, "domain")!, Cell(r, "address") ?? "", lon, lat, grid));
            }

            if ((i + 1) % 5000 == 0)
            {
                await ProgressAsync(job, i + 1);
            }
        }

        // Place subjects without a grid code by their point, in one query.
        var unplaced = parsed.Select((p, i) => (p, i)).Where(x => x.p.Grid is null && x.p.Lon is not null).ToList();
        if (unplaced.Count > 0 && errors.Count == 0)
        {
            var found = (await conn.QueryAsync<(int I, Guid? Id, Guid[]? Path, string? Code)>(
                """
                SELECT t.i::int, g.id, g.path, g.code FROM unnest(@xs, @ys) WITH ORDINALITY AS t(x, y, i)
                LEFT JOIN LATERAL (SELECT id, path, code FROM grids WHERE hierarchy = 'comprehensive'
                    AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(t.x, t.y), 4326)) ORDER BY depth DESC, code LIMIT 1) g ON true
                """, new { xs = unplaced.Select(u => u.p.Lon!.Value).ToArray(), ys = unplaced.Select(u => u.p.Lat!.Value).ToArray() }, commandTimeout: 300)).ToList();
            foreach (var f in found)
            {
                var (p, index) = unplaced[f.I - 1];
                if (f.Id is not null)
                {
                    parsed[index] = p with { Grid = new GridRef(f.Id.Value, f.Code!, f.Path!) };
                }
            }
        }

        foreach (var p in parsed)
        {
            if (p.Grid is null ? !canSee([]) : !canSee(p.Grid.Path.Select(x => x.ToString()).ToList()))
            {
                errors.Add(new RowError(p.Line, "gridCode", "The subject must lie in a grid within the token's scope."));
            }
        }

        if (errors.Count > 0)
        {
            return await FinishAsync(job, errors, 0);
        }

        await using (var tx = await conn.BeginTransactionAsync())
        {
            await conn.ExecuteAsync(
                "CREATE TEMP TABLE subjects_in (id uuid, credit_code text, name text, kind text, category text, domain text, address text, lon float8, lat float8, grid_id uuid) ON COMMIT DROP",
                transaction: tx);
            await using (var copy = await conn.BeginBinaryImportAsync("COPY subjects_in FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var p in parsed)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await WriteNullableAsync(copy, p.Code, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.Name, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.Kind, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.Category, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.Domain, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.Address, NpgsqlDbType.Text);
                    await WriteNullableAsync(copy, p.Lon, NpgsqlDbType.Double);
                    await WriteNullableAsync(copy, p.Lat, NpgsqlDbType.Double);
                    await WriteNullableAsync(copy, p.Grid?.Id, NpgsqlDbType.Uuid);
                }

                await copy.CompleteAsync();
            }

            await conn.ExecuteAsync(
                """
                INSERT INTO subjects (id, credit_code, name, kind, category, domain, address, location, grid_id)
                SELECT id, credit_code, name, kind, category, domain, address,
                       CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END, grid_id
                FROM subjects_in
                """, transaction: tx, commandTimeout: 300);
            await tx.CommitAsync();
        }

        await cache.InvalidateAsync();
        return await FinishAsync(job, errors, parsed.Count);
    }
}
