using System.Globalization;
using System.Text.Json;
using Dapper;
using Grid.Messaging;
using Grid.Organization.Domain;
using Grid.Organization.Infrastructure;
using MiniExcelLibs;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Organization.Imports;

/// <summary>One problem with one row of an import: the row as a person sees it in the file (header = row 1).</summary>
public sealed record RowError(int Row, string Field, string Message);

/// <summary>导入任务 An import and its progress: processed of total rows, then written or the row errors.</summary>
public sealed class ImportJob
{
    public Guid Id { get; set; }

    public string Kind { get; set; } = "";

    /// <summary>running, succeeded, failed.</summary>
    public string Status { get; set; } = "";

    public int Total { get; set; }

    public int Processed { get; set; }

    public int Written { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public IReadOnlyList<RowError> Errors { get; set; } = [];
}

/// <summary>
/// Bulk imports, all or nothing: every row is checked first (fields, duplicates within the file and against
/// the database, grid scope); only a file without errors is written, in one transaction with binary COPY.
/// Progress is kept on the job row so a second request can watch it.
/// </summary>
public sealed class ImportService(NpgsqlDataSource db, OrganizationCache cache, GridStore grids, ILogger<ImportService> logger)
{
    public const int MaxReportedErrors = 1000;

    public async Task<ImportJob> StartAsync(string kind, int total)
    {
        var job = new ImportJob { Id = Guid.CreateVersion7(), Kind = kind, Status = "running", Total = total, StartedAt = DateTime.UtcNow };
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO import_jobs (id, kind, status, total, started_at) VALUES (@Id, @Kind, @Status, @Total, @StartedAt)", job);
        return job;
    }

    public async Task<ImportJob?> GetAsync(Guid id)
    {
        await using var conn = await db.OpenConnectionAsync();
        var row = await conn.QuerySingleOrDefaultAsync<(Guid Id, string Kind, string Status, int Total, int Processed, int Written, DateTime StartedAt, DateTime? FinishedAt, string? Errors)>(
            "SELECT id, kind, status, total, processed, written, started_at, finished_at, errors::text FROM import_jobs WHERE id = @id", new { id });
        return row.Id == Guid.Empty ? null : new ImportJob
        {
            Id = row.Id,
            Kind = row.Kind,
            Status = row.Status,
            Total = row.Total,
            Processed = row.Processed,
            Written = row.Written,
            StartedAt = row.StartedAt,
            FinishedAt = row.FinishedAt,
            Errors = row.Errors is null ? [] : JsonSerializer.Deserialize<List<RowError>>(row.Errors, JsonSerializerOptions.Web) ?? [],
        };
    }

    private async Task ProgressAsync(ImportJob job, int processed)
    {
        job.Processed = processed;
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE import_jobs SET processed = @processed WHERE id = @Id", new { processed, job.Id });
    }

    private async Task<ImportJob> FinishAsync(ImportJob job, List<RowError> errors, int written)
    {
        job.Status = errors.Count == 0 ? "succeeded" : "failed";
        job.Errors = errors.Take(MaxReportedErrors).ToList();
        job.Written = written;
        job.Processed = job.Total;
        job.FinishedAt = DateTime.UtcNow;
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync(
            "UPDATE import_jobs SET status = @Status, processed = @Processed, written = @Written, finished_at = @FinishedAt, errors = @errors::jsonb WHERE id = @Id",
            new { job.Status, job.Processed, job.Written, job.FinishedAt, job.Id, errors = JsonSerializer.Serialize(job.Errors, JsonSerializerOptions.Web) });
        logger.LogInformation("Import {Kind} {JobId}: {Status}, {Total} rows, {Written} written, {Errors} errors", job.Kind, job.Id, job.Status, job.Total, written, errors.Count);
        return job;
    }

    /// <summary>Rows of a CSV or XLSX file as column → text, header row first in the file.</summary>
    public static List<Dictionary<string, string>> ReadTable(Stream seekable, bool excel)
    {
        var rows = new List<Dictionary<string, string>>();
        foreach (IDictionary<string, object?> r in MiniExcel.Query(seekable, useHeaderRow: true, excelType: excel ? ExcelType.XLSX : ExcelType.CSV))
        {
            rows.Add(r.ToDictionary(kv => kv.Key.Trim(), kv => Convert.ToString(kv.Value, CultureInfo.InvariantCulture)?.Trim() ?? "", StringComparer.OrdinalIgnoreCase));
        }

        return rows;
    }

    private static string? Cell(Dictionary<string, string> row, string column) => row.TryGetValue(column, out var v) && v.Length > 0 ? v : null;

    private static double? Number(Dictionary<string, string> row, string column, List<RowError> errors, int line)
    {
        if (Cell(row, column) is not { } s)
        {
            return null;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return d;
        }

        errors.Add(new RowError(line, column, $"'{s}' is not a number."));
        return null;
    }

    private static DateTime? Date(Dictionary<string, string> row, string column, List<RowError> errors, int line)
    {
        if (Cell(row, column) is not { } s)
        {
            return null;
        }

        if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d))
        {
            return d;
        }

        errors.Add(new RowError(line, column, $"'{s}' is not a date."));
        return null;
    }

    private static void Collect(Dictionary<string, string[]> fieldErrors, List<RowError> errors, int line)
    {
        foreach (var (f, msgs) in fieldErrors)
        {
            errors.AddRange(msgs.Select(m => new RowError(line, f, m)));
        }
    }

    private sealed record GridRef(Guid Id, string Code, Guid[] Path);

    private static async Task<Dictionary<string, GridRef>> GridsByCodeAsync(NpgsqlConnection conn, IEnumerable<string> codes)
    {
        var rows = await conn.QueryAsync<(Guid Id, string Code, Guid[] Path)>("SELECT id, code, path FROM grids WHERE code = ANY(@codes)", new { codes = codes.Distinct().ToArray() });
        return rows.ToDictionary(r => r.Code, r => new GridRef(r.Id, r.Code, r.Path));
    }

    /// <summary>
    /// Staff, one post per row. Columns: staffNo, name, phone, departmentCode, gridCode, role, domain, validFrom, validTo.
    /// </summary>
    public async Task<ImportJob> ImportStaffAsync(ImportJob job, List<Dictionary<string, string>> rows, Func<IReadOnlyList<string>, bool> canSee)
    {
        var errors = new List<RowError>();
        await using var conn = await db.OpenConnectionAsync();
        var gridsByCode = await GridsByCodeAsync(conn, rows.Select(r => Cell(r, "gridCode") ?? ""));
        var departments = (await conn.QueryAsync<(string Code, Guid Id)>("SELECT code, id FROM departments")).ToDictionary(d => d.Code, d => d.Id);
        var staffNos = rows.Select(r => Cell(r, "staffNo")).OfType<string>().Distinct().ToArray();
        var existing = (await conn.QueryAsync<string>("SELECT staff_no FROM staff WHERE staff_no = ANY(@staffNos)", new { staffNos })).ToHashSet();
        var seen = new Dictionary<string, int>();
        var now = DateTime.UtcNow;
        var staff = new List<(Guid Id, string? No, string Name, string Phone, Guid? Dept)>(rows.Count);
        var posts = new List<(Guid Id, Guid Staff, Guid Grid, string Role, string Domain, DateTime From, DateTime? To)>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var line = i + 2;
            var fe = new Dictionary<string, string[]>();
            StaffRules.CheckPerson(fe, Cell(r, "name"), Cell(r, "phone"));
            var from = Date(r, "validFrom", errors, line);
            var to = Date(r, "validTo", errors, line);
            StaffRules.CheckAssignment(fe, Cell(r, "role"), Cell(r, "domain"), from, to);
            Collect(fe, errors, line);
            var no = Cell(r, "staffNo");
            if (no is not null)
            {
                if (existing.Contains(no))
                {
                    errors.Add(new RowError(line, "staffNo", $"Staff number {no} already exists."));
                }
                else if (seen.TryGetValue(no, out var first))
                {
                    errors.Add(new RowError(line, "staffNo", $"Staff number {no} already appears in row {first}."));
                }
                else
                {
                    seen[no] = line;
                }
            }

            Guid? dept = null;
            if (Cell(r, "departmentCode") is { } dc)
            {
                if (departments.TryGetValue(dc, out var d))
                {
                    dept = d;
                }
                else
                {
                    errors.Add(new RowError(line, "departmentCode", $"Department {dc} does not exist."));
                }
            }

            var gc = Cell(r, "gridCode");
            if (gc is null || !gridsByCode.TryGetValue(gc, out var grid) || !canSee(grid.Path.Select(p => p.ToString()).ToList()))
            {
                errors.Add(new RowError(line, "gridCode", gc is null ? "A grid code is required." : $"Grid {gc} does not exist."));
                grid = null;
            }

            if (errors.Count == 0)
            {
                var id = Guid.CreateVersion7();
                staff.Add((id, no, Cell(r, "name")!, Cell(r, "phone")!, dept));
                posts.Add((Guid.CreateVersion7(), id, grid!.Id, Cell(r, "role")!, Cell(r, "domain")!, from ?? now, to));
            }

            if ((i + 1) % 5000 == 0)
            {
                await ProgressAsync(job, i + 1);
            }
        }

        if (errors.Count > 0)
        {
            return await FinishAsync(job, errors, 0);
        }

        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using (var copy = await conn.BeginBinaryImportAsync("COPY staff (id, staff_no, name, phone, department_id) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var s in staff)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(s.Id, NpgsqlDbType.Uuid);
                    await WriteNullableAsync(copy, s.No, NpgsqlDbType.Text);
                    await copy.WriteAsync(s.Name, NpgsqlDbType.Text);
                    await copy.WriteAsync(s.Phone, NpgsqlDbType.Text);
                    await WriteNullableAsync(copy, s.Dept, NpgsqlDbType.Uuid);
                }

                await copy.CompleteAsync();
            }

            await using (var copy = await conn.BeginBinaryImportAsync("COPY assignments (id, staff_id, grid_id, role, domain, valid_from, valid_to) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var p in posts)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(p.Id, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(p.Staff, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(p.Grid, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(p.Role, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.Domain, NpgsqlDbType.Text);
                    await copy.WriteAsync(p.From, NpgsqlDbType.TimestampTz);
                    await WriteNullableAsync(copy, p.To, NpgsqlDbType.TimestampTz);
                }

                await copy.CompleteAsync();
            }

            await tx.CommitAsync();
        }

        await cache.InvalidateAsync();
        return await FinishAsync(job, errors, staff.Count);
    }

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
        var seen = new Dictionary<string, int>();
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
                if (existing.Contains(code))
                {
                    errors.Add(new RowError(line, "creditCode", $"Credit code {code} is already registered."));
                }
                else if (seen.TryGetValue(code, out var first))
                {
                    errors.Add(new RowError(line, "creditCode", $"Credit code {code} already appears in row {first}."));
                }
                else
                {
                    seen[code] = line;
                }
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

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, type);
}
