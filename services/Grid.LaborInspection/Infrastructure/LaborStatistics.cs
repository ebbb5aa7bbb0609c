using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Apis;
using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>
/// Counts <see cref="LaborFigures"/> for the grids asked, each row covering the grid and all beneath it, over the caller's
/// scope and the days [first, last] (China time). Rows are read with their grid paths and summed here: a county's
/// complaints and employers are thousands, not millions.
/// </summary>
public sealed class LaborStatistics(LaborDbContext db)
{
    public async Task<List<LaborFigures>> ForAsync(ClaimsPrincipal user, IReadOnlyList<GridNode> groups, DateOnly first, DateOnly last, CancellationToken ct)
    {
        var access = LaborInspectionApi.LaborAccess;
        // On file at the end of the period: opened before the next day began in China.
        var toUtc = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), LaborDay.Offset).ToUniversalTime();
        var ids = groups.Select(g => g.Id).ToArray();

        var complaints = await access.Scoped(db.Complaints.AsNoTracking(), user, c => c.GridPath)
            .Where(c => c.GridPath.Any(g => ids.Contains(g)) && ((c.ReceivedOn >= first && c.ReceivedOn <= last) || (c.FinishedOn >= first && c.FinishedOn <= last)))
            .Select(c => new { c.GridPath, c.ReceivedOn, c.FinishedOn, c.FinishBy, c.RefusedReason, c.AmountClaimed, c.Workers }).ToListAsync(ct);
        var paid = await (from m in db.Mediations.AsNoTracking()
                          join c in access.Scoped(db.Complaints.AsNoTracking(), user, c => c.GridPath) on m.CaseId equals c.CaseId
                          where m.PaidOn >= first && m.PaidOn <= last && c.GridPath.Any(g => ids.Contains(g))
                          select new { c.GridPath, m.AmountAgreed, c.Workers }).ToListAsync(ct);
        var employers = await EmployersApi.Scoped(db.Employers.AsNoTracking(), user)
            .Where(e => e.CreatedAt < toUtc && e.GridPath.Any(g => ids.Contains(g))).Select(e => new { e.Id, e.GridPath }).ToListAsync(ct);
        var visits = new[] { ComplianceKind.Inspection, ComplianceKind.Violation };
        var inspected = await (from r in db.ComplianceRecords.AsNoTracking()
                               join e in EmployersApi.Scoped(db.Employers.AsNoTracking(), user) on r.EmployerId equals e.Id
                               where visits.Contains(r.Kind) && r.On >= first && r.On <= last && e.GridPath.Any(g => ids.Contains(g))
                               select new { r.EmployerId, e.GridPath }).ToListAsync(ct);

        return [.. groups.Select(g => new LaborFigures(
            g.Id,
            g.Name,
            complaints.Count(c => c.GridPath.Contains(g.Id) && c.ReceivedOn >= first && c.ReceivedOn <= last),
            complaints.Count(c => c.GridPath.Contains(g.Id) && c.FinishedOn >= first && c.FinishedOn <= last),
            complaints.Count(c => c.GridPath.Contains(g.Id) && c.FinishedOn >= first && c.FinishedOn <= last && c.RefusedReason == null && c.FinishBy is { } by && c.FinishedOn <= by),
            complaints.Where(c => c.GridPath.Contains(g.Id) && c.ReceivedOn >= first && c.ReceivedOn <= last).Sum(c => c.AmountClaimed ?? 0m),
            complaints.Where(c => c.GridPath.Contains(g.Id) && c.ReceivedOn >= first && c.ReceivedOn <= last).Sum(c => c.Workers),
            paid.Where(p => p.GridPath.Contains(g.Id)).Sum(p => p.AmountAgreed),
            paid.Where(p => p.GridPath.Contains(g.Id)).Sum(p => p.Workers),
            employers.Count(e => e.GridPath.Contains(g.Id)),
            inspected.Where(i => i.GridPath.Contains(g.Id)).Select(i => i.EmployerId).Distinct().Count(),
            inspected.Count(i => i.GridPath.Contains(g.Id))))];
    }
}
