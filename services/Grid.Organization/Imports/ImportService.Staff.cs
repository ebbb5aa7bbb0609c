using Dapper;
using Grid.Organization.Domain;
using NpgsqlTypes;
using static Grid.Organization.Imports.ImportTable;

namespace Grid.Organization.Imports;

/// <summary>Staff imports: check every row, then write staff and posts with binary COPY.</summary>
public sealed partial class ImportService
{
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
        var numbers = new UniqueColumn("staffNo", "Staff number", existing, "already exists");
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
                numbers.Check(no, line, errors);
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
}
