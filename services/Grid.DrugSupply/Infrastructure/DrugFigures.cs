using Grid.DrugSupply.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>A rectification ordered by a failed inspection, with its case's state: closed, and whether it missed a deadline.</summary>
public sealed record RectificationFigure(Guid PointId, DateOnly On, Guid CaseId, bool Closed, bool Breached)
{
    /// <summary>Closed, or past its deadline: what the on-time rate is measured over (one still running on time is not yet judged).</summary>
    public bool Settled => Closed || Breached;

    public bool OnTime => Closed && !Breached;
}

/// <summary>The figures the compliance view, the statistics and the quarterly assessment read from drug supply's tables and the case table.</summary>
public sealed class DrugFigures(DrugsDbContext db, DrugOptions options, CoverageCalculator calculator)
{
    private sealed record CaseRow(Guid Id, string State, bool Breached);

    /// <summary>Each point's daily inspections against its plan (its own, else its kind's default) over [from, to].</summary>
    public async Task<List<PointCompliance>> ComplianceAsync(IReadOnlyList<SupplyPoint> points, DateOnly from, DateOnly to, DateOnly today, CancellationToken ct)
    {
        var ids = points.Select(p => p.Id).ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => ids.Contains(p.PointId)).ToDictionaryAsync(p => p.PointId, p => p.EveryDays, ct);
        var rows = await db.Inspections.AsNoTracking()
            .Where(i => ids.Contains(i.PointId) && !i.ReInspection && i.On <= today && (i.Kind == InspectionKind.Daily || (i.Kind == InspectionKind.Surprise && i.On >= from && i.On <= to)))
            .Select(i => new { i.PointId, i.Kind, i.On }).ToListAsync(ct);
        var byPoint = rows.ToLookup(r => r.PointId);
        return [.. points.Select(p =>
        {
            var mine = byPoint[p.Id].ToList();
            var daily = mine.Where(r => r.Kind == InspectionKind.Daily).Select(r => r.On).ToList();
            var everyDays = plans.TryGetValue(p.Id, out var d) ? d : options.Inspections.For(p.Kind);
            return InspectionCompliance.Of(p, calculator.TownshipOf(p), everyDays, daily, mine.Count(r => r.Kind == InspectionKind.Surprise), from, to, today);
        })];
    }

    /// <summary>The rectifications ordered at <paramref name="points"/> by inspections on days in [from, to], with their cases' state.</summary>
    public async Task<List<RectificationFigure>> RectificationsAsync(IReadOnlyList<SupplyPoint> points, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var ids = points.Select(p => p.Id).ToList();
        var ordered = await db.Inspections.AsNoTracking()
            .Where(i => ids.Contains(i.PointId) && !i.ReInspection && !i.Passed && i.CaseId != null && i.On >= from && i.On <= to)
            .Select(i => new { i.PointId, i.On, CaseId = i.CaseId!.Value }).ToListAsync(ct);
        var caseIds = ordered.Select(o => o.CaseId).ToArray();
        var cases = (await db.Database
            .SqlQuery<CaseRow>($"SELECT id AS \"Id\", state AS \"State\", breached AS \"Breached\" FROM casework.cases WHERE id = ANY({caseIds})")
            .ToListAsync(ct)).ToDictionary(c => c.Id);
        return [.. ordered.Select(o => cases.TryGetValue(o.CaseId, out var c)
            ? new RectificationFigure(o.PointId, o.On, o.CaseId, c.State == "closed", c.Breached)
            : new RectificationFigure(o.PointId, o.On, o.CaseId, false, false))];
    }

    /// <summary>The staff appointed under <paramref name="gridIds"/> and the assessments of <paramref name="period"/> (null: every period).</summary>
    public async Task<(List<NetworkStaff> Staff, List<StaffEntry> Assessments)> StaffAsync(string[] gridIds, string? period, CancellationToken ct)
    {
        var staff = await db.Staff.AsNoTracking().Where(s => s.GridPath.Any(g => gridIds.Contains(g))).ToListAsync(ct);
        var ids = staff.Select(s => s.Id).ToList();
        var assessments = await db.StaffEntries.AsNoTracking()
            .Where(e => ids.Contains(e.StaffId) && e.Kind == StaffEntryKind.Assessment && (period == null || e.Period == period)).ToListAsync(ct);
        return (staff, assessments);
    }

    /// <summary>The GSP follow-up checks of the year up to today, for the coverage indicators.</summary>
    public async Task<HashSet<Guid>> FollowedUpAsync(IReadOnlyList<SupplyPoint> points, DateOnly today, CancellationToken ct)
    {
        var ids = points.Select(p => p.Id).ToList();
        var yearStart = new DateOnly(today.Year, 1, 1);
        return (await db.Inspections.AsNoTracking()
            .Where(i => ids.Contains(i.PointId) && i.Kind == InspectionKind.GspFollowUp && i.On >= yearStart && i.On <= today)
            .Select(i => i.PointId).Distinct().ToListAsync(ct)).ToHashSet();
    }
}
