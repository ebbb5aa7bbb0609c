using System.Security.Claims;
using Grid.LaborInspection.Apis;
using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>The outcome of an import: what was written, or why nothing was.</summary>
public sealed record ImportResult(int Created, int Updated, IReadOnlyList<RowError> Errors);

/// <summary>Checks every row of a sheet and writes all of them in one transaction, or none.</summary>
public sealed class EmployerImporter(LaborDbContext db, GridPaths grids, EmployerRater rater, TimeProvider time)
{
    public const int MaxReportedErrors = 1000;

    public async Task<ImportResult> ImportAsync(List<Dictionary<string, string>> rows, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new List<RowError>();
        var today = LaborDay.Today(time);
        var checkedRows = new List<(EmployerFacts Facts, string[] Path)>(rows.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var line = i + 2;
            var facts = EmployerSheet.Parse(rows[i], line, errors);
            var (fieldErrors, path) = await EmployersApi.CheckAsync(facts, grids, today, ct);
            foreach (var (field, messages) in fieldErrors)
            {
                // A cell that did not parse was reported already; its field then also reads as missing.
                if (!errors.Any(e => e.Row == line && e.Field == field))
                {
                    errors.AddRange(messages.Select(m => new RowError(line, field, m)));
                }
            }

            if (path is not null && LaborAccess.Deny(user, LaborRoles.FileManagers, path) is not null)
            {
                errors.Add(new RowError(line, "gridId", $"grid '{facts.GridId}' is outside your grid scope"));
            }

            if (facts.SubjectId?.Trim() is { Length: > 0 } subject)
            {
                if (seen.TryGetValue(subject, out var first))
                {
                    errors.Add(new RowError(line, "subjectId", $"'{subject}' already appears in row {first}"));
                }
                else
                {
                    seen[subject] = line;
                }
            }

            if (path is not null)
            {
                checkedRows.Add((facts, path));
            }
        }

        if (errors.Count > 0)
        {
            return new ImportResult(0, 0, errors.OrderBy(e => e.Row).Take(MaxReportedErrors).ToList());
        }

        var subjects = seen.Keys.ToArray();
        var existing = await db.Employers.Where(e => subjects.Contains(e.SubjectId)).ToDictionaryAsync(e => e.SubjectId, ct);
        var outOfScope = existing.Values.Where(e => LaborAccess.Deny(user, LaborRoles.FileManagers, e.GridPath) is not null).ToList();
        if (outOfScope.Count > 0)
        {
            return new ImportResult(0, 0, outOfScope.Select(e => new RowError(seen[e.SubjectId], "subjectId",
                $"'{e.SubjectId}' is on file in a grid outside your scope")).OrderBy(e => e.Row).ToList());
        }

        var ids = existing.Values.Select(e => e.Id).ToArray();
        var histories = (await db.ComplianceRecords.AsNoTracking().Where(r => ids.Contains(r.EmployerId)).ToListAsync(ct)).ToLookup(r => r.EmployerId);
        var now = time.GetUtcNow();
        int created = 0, updated = 0;
        foreach (var (facts, path) in checkedRows)
        {
            if (!existing.TryGetValue(facts.SubjectId!.Trim(), out var employer))
            {
                employer = new Employer { Id = Guid.CreateVersion7(), CreatedAt = now };
                db.Employers.Add(employer);
                created++;
            }
            else
            {
                updated++;
            }

            facts.ApplyTo(employer, path);
            employer.UpdatedAt = now;
            rater.Rate(employer, histories[employer.Id]);
        }

        // One SaveChanges is one transaction: every row or none.
        await db.SaveChangesAsync(ct);
        return new ImportResult(created, updated, []);
    }
}
