using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>守法记录: an entry added to an employer's history moves its last-inspected date and re-rates it (saved by the caller).</summary>
public static class ComplianceHistory
{
    public static async Task AppendAsync(LaborDbContext db, EmployerRater rater, Employer employer, ComplianceRecord record, DateTimeOffset now, CancellationToken ct)
    {
        db.ComplianceRecords.Add(record);
        if (record.Kind is ComplianceKind.Inspection or ComplianceKind.Violation && (employer.LastInspectedOn is not { } last || last < record.On))
        {
            employer.LastInspectedOn = record.On;
        }

        var history = await db.ComplianceRecords.AsNoTracking().Where(r => r.EmployerId == employer.Id).ToListAsync(ct);
        rater.Rate(employer, [.. history, record]);
        employer.UpdatedAt = now;
    }
}
