using System.Security.Claims;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Apis;

/// <summary>统计: rollout of townships meeting the standard (hazard figures live with the hazards).</summary>
public static class StatisticsApi
{
    public sealed record AssessmentRequest(string GridId, int Year, bool MeetsStandard);

    public static RouteGroupBuilder MapStatisticsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/statistics/township-assessments", Assess).WithSummary("Record whether a township met 责任明晰、机制健全、运行高效 in a year.");
        api.MapGet("/statistics/rollout", Rollout).WithSummary("Townships meeting the standard against the year's target (30/60/80/100%).");
        return api;
    }

    private static async Task<IResult> Assess(AssessmentRequest req, ClaimsPrincipal user, FireDbContext db, IGridTree grids, TimeProvider time, CancellationToken ct)
    {
        string[] roles = [FireRoles.Admin, FireRoles.FireBrigade];
        if (FireAccess.Deny(user, roles) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors();
        var grid = string.IsNullOrWhiteSpace(req.GridId) ? null : await grids.FindAsync(req.GridId, ct);
        if (grid is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }
        else if (grid.Level != GridLevels.Large)
        {
            e.Add("gridId", "must be a township (大网格)");
        }

        if (req.Year is < 2000 or > 2100)
        {
            e.Add("year", "must be between 2000 and 2100");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (FireAccess.Deny(user, roles, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var row = await db.TownshipAssessments.FirstOrDefaultAsync(a => a.GridId == grid.Id && a.Year == req.Year, ct);
        if (row is null)
        {
            db.TownshipAssessments.Add(row = new TownshipAssessment { Id = Guid.CreateVersion7(), GridId = grid.Id, Year = req.Year });
        }

        row.MeetsStandard = req.MeetsStandard;
        row.AssessedBy = FireAccess.Actor(user);
        row.AssessedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(row);
    }

    private static async Task<IResult> Rollout(ClaimsPrincipal user, FireDbContext db, IGridTree grids, FireOptions options, int? year, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var y = year ?? ComplianceCalculator.ToChinaTime(time.GetUtcNow()).Year;
        var townships = new List<GridNode>();
        foreach (var root in await grids.RootsAsync(ct))
        {
            townships.AddRange((await grids.SubtreeAsync(root.Id, ct)).Where(g => g.Level == GridLevels.Large && FireAccess.InScope(user, g.Path)));
        }

        var ids = townships.Select(t => t.Id).ToArray();
        var met = await db.TownshipAssessments.AsNoTracking().Where(a => a.Year == y && a.MeetsStandard && ids.Contains(a.GridId)).Select(a => a.GridId).ToListAsync(ct);
        var target = options.Rollout.TargetFor(y);
        var percent = townships.Count == 0 ? 0 : Math.Round(100.0 * met.Count / townships.Count, 1);
        return TypedResults.Ok(new
        {
            year = y, townships = townships.Count, meetingStandard = met.Count, percent, targetPercent = target, onTarget = percent >= target,
            met = townships.Where(t => met.Contains(t.Id)).Select(t => new { t.Id, t.Name }),
        });
    }
}
