using System.Security.Claims;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 统计 and 考核: inspections, rectifications on time, screening samples and positives, coverage and the two kinds of
/// staff per township over a period; the quarterly township assessment with its configured weights.
/// </summary>
public static class StatisticsApi
{
    public static RouteGroupBuilder MapStatisticsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/statistics", Statistics).WithSummary("Per township and in total over [from, to]: inspections, rectifications, screening, coverage today, staff.");
        api.MapGet("/assessments/townships", Assessment).WithSummary("季度考核: each township's score from coverage, inspections, rectifications on time and staff assessment.");
        return api;
    }

    private sealed record Totals(
        string GridId, string Name, object Inspections, object Rectifications, object Screening, CoverageRow? Coverage, object Staff);

    private static async Task<IResult> Statistics(
        string? gridId, DateOnly? from, DateOnly? to, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, GridPaths grids,
        CoverageCalculator calculator, DrugFigures figures, TimeProvider time, CancellationToken ct)
    {
        var today = DrugsDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        var (f, t) = Period(errors, from, to, today);
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (await CoverageApi.LoadAsync(gridId, user, db, network, grids, ct) is not { } scope)
        {
            return await CoverageApi.Refusal(gridId, user, grids, ct);
        }

        var ids = scope.Points.Select(p => p.Id).ToList();
        var inspections = await db.Inspections.AsNoTracking().Where(i => ids.Contains(i.PointId) && i.On >= f && i.On <= t)
            .Select(i => new { i.PointId, i.Kind, i.Passed, i.ReInspection }).ToListAsync(ct);
        var (fromUtc, toUtc) = (DrugsDay.StartOf(f), DrugsDay.StartOf(t.AddDays(1)));
        var samples = await db.Samples.AsNoTracking().Where(s => ids.Contains(s.PointId) && s.SampledAt >= fromUtc && s.SampledAt < toUtc)
            .Select(s => new { s.PointId, s.Screening, s.Verdict }).ToListAsync(ct);
        var rectifications = await figures.RectificationsAsync(scope.Points, f, t, ct);
        var (staff, assessments) = await figures.StaffAsync([.. scope.Townships.Select(x => x.Id)], null, ct);
        assessments = [.. assessments.Where(a => a.On >= f && a.On <= t)];
        var (coverageTotal, coverageRows) = calculator.Indicators(gridId ?? "all", gridId ?? "全部", scope.Townships, scope.Villages, scope.Points,
            await figures.FollowedUpAsync(scope.Points, today, ct), today);
        var township = scope.Points.ToDictionary(p => p.Id, calculator.TownshipOf);

        Totals Row(string id, string name, Func<Guid, bool> at, Func<NetworkStaff, bool> mine, CoverageRow? coverage)
        {
            var ins = inspections.Where(i => at(i.PointId)).ToList();
            var rec = rectifications.Where(r => at(r.PointId)).ToList();
            var smp = samples.Where(s => at(s.PointId)).ToList();
            var people = staff.Where(mine).ToList();
            var scores = assessments.Where(a => people.Any(p => p.Id == a.StaffId)).ToList();
            return new Totals(
                id, name,
                new
                {
                    total = ins.Count(i => !i.ReInspection),
                    daily = ins.Count(i => !i.ReInspection && i.Kind == InspectionKind.Daily),
                    surprise = ins.Count(i => !i.ReInspection && i.Kind == InspectionKind.Surprise),
                    gspFollowUp = ins.Count(i => !i.ReInspection && i.Kind == InspectionKind.GspFollowUp),
                    failed = ins.Count(i => !i.ReInspection && !i.Passed),
                    reInspections = ins.Count(i => i.ReInspection),
                },
                new
                {
                    ordered = rec.Count,
                    closed = rec.Count(r => r.Closed),
                    closedOnTime = rec.Count(r => r.OnTime),
                    pastDeadline = rec.Count(r => r.Breached),
                    onTimeRate = Rate(rec.Count(r => r.OnTime), rec.Count(r => r.Settled)),
                },
                new
                {
                    samples = smp.Count,
                    suspicious = smp.Count(s => s.Screening == ScreeningResult.Suspicious),
                    positives = smp.Count(s => s.Verdict is LabVerdict.Fake or LabVerdict.Substandard),
                    positiveRate = Rate(smp.Count(s => s.Verdict is LabVerdict.Fake or LabVerdict.Substandard), smp.Count),
                },
                coverage,
                new
                {
                    coordinators = people.Count(p => p.Kind == StaffKind.Coordinator && p.DismissedOn == null),
                    informants = people.Count(p => p.Kind == StaffKind.Informant && p.DismissedOn == null),
                    dismissed = people.Count(p => p.DismissedOn >= f && p.DismissedOn <= t),
                    assessed = scores.Count,
                    passed = scores.Count(a => a.Passed == true),
                    meanScore = scores.Count == 0 ? (decimal?)null : Math.Round(scores.Average(a => a.Score ?? 0), 1),
                });
        }

        return TypedResults.Ok(new
        {
            from = f,
            to = t,
            total = Row(gridId ?? "all", gridId ?? "全部", _ => true, _ => true, coverageTotal),
            townships = scope.Townships.Select(tw => Row(tw.Id, tw.Name, p => township[p] == tw.Id, s => s.GridPath.Contains(tw.Id),
                coverageRows.FirstOrDefault(c => c.GridId == tw.Id))),
        });
    }

    private static decimal? Rate(int part, int whole) => whole == 0 ? null : Math.Round(100m * part / whole, 1);

    private static async Task<IResult> Assessment(
        int? year, int? quarter, string? gridId, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, GridPaths grids,
        CoverageCalculator calculator, DrugFigures figures, DrugOptions options, TimeProvider time, CancellationToken ct)
    {
        var today = DrugsDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        var y = year ?? today.Year;
        var q = quarter ?? (((today.Month - 1) / 3) + 1);
        if (y is < 2000 or > 2100)
        {
            errors.Error("year", "must be between 2000 and 2100");
        }

        if (q is < 1 or > 4)
        {
            errors.Error("quarter", "must be 1 to 4");
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var from = new DateOnly(y, ((q - 1) * 3) + 1, 1);
        var to = from.AddMonths(3).AddDays(-1);
        if (from > today)
        {
            return GridProblems.Invalid("quarter", "has not begun");
        }

        if (await CoverageApi.LoadAsync(gridId, user, db, network, grids, ct) is not { } scope)
        {
            return await CoverageApi.Refusal(gridId, user, grids, ct);
        }

        // Coverage as it stands at the quarter's end (today while the quarter runs): points filed by then.
        var asOf = to < today ? to : today;
        var points = scope.Points.Where(p => DrugsDay.Of(p.CreatedAt) <= asOf).ToList();
        var (_, coverage) = calculator.Indicators("all", "全部", scope.Townships, scope.Villages, points, await figures.FollowedUpAsync(points, asOf, ct), asOf);
        var compliance = await figures.ComplianceAsync(points, from, to, today, ct);
        var rectifications = await figures.RectificationsAsync(points, from, to, ct);
        var period = $"{y}-Q{q}";
        var (staff, assessments) = await figures.StaffAsync([.. scope.Townships.Select(x => x.Id)], period, ct);
        var assessor = new TownshipAssessor(options.Assessment);
        var rows = scope.Townships.Select(tw =>
        {
            var mine = points.Where(p => calculator.TownshipOf(p) == tw.Id).Select(p => p.Id).ToHashSet();
            var rec = rectifications.Where(r => mine.Contains(r.PointId)).ToList();
            var people = staff.Where(s => s.GridPath.Contains(tw.Id)).Select(s => s.Id).ToHashSet();
            return assessor.Score(tw.Id, tw.Name, coverage.First(c => c.GridId == tw.Id),
                ComplianceTotals.Of(tw.Id, tw.Name, [.. compliance.Where(c => c.TownshipId == tw.Id)]),
                rec.Count(r => r.OnTime), rec.Count(r => r.Settled),
                [.. assessments.Where(a => people.Contains(a.StaffId)).Select(a => a.Score ?? 0)]);
        }).OrderByDescending(r => r.Score).ThenBy(r => r.GridId, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new
        {
            year = y,
            quarter = q,
            from,
            to,
            weights = options.Assessment,
            townships = rows.Select((r, i) => new { rank = i + 1, r.GridId, r.Name, r.Score, r.Coverage, r.Inspections, r.Rectifications, r.Staff }),
        });
    }
}
