using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>统计: rollout of townships meeting the standard (hazard figures live with the hazards).</summary>
public static class StatisticsApi
{
    public sealed record AssessmentRequest(string GridId, int Year, bool MeetsStandard);

    public static RouteGroupBuilder MapStatisticsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/statistics/township-assessments", Assess).WithSummary("Record whether a township met 责任明晰、机制健全、运行高效 in a year.");
        api.MapGet("/statistics/hazards", Hazards).WithSummary("查处率 and on-time rectification per child grid for a period, ranked.");
        api.MapGet("/statistics/rollout", Rollout).WithSummary("Townships meeting the standard against the year's target (30/60/80/100%).");
        return api;
    }

    private static async Task<IResult> Assess(AssessmentRequest req, ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, TimeProvider time, CancellationToken ct)
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
        row.AssessedBy = user.Subject();
        row.AssessedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(row);
    }

    private static async Task<IResult> Rollout(ClaimsPrincipal user, FireDbContext db, IGridDirectory grids, FireOptions options, int? year, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var y = year ?? ComplianceCalculator.ToChinaTime(time.GetUtcNow()).Year;
        var townships = new List<GridNode>();
        foreach (var root in await grids.RootsAsync(Domains.Fire, ct))
        {
            townships.AddRange((await grids.SubtreeAsync(root.Id, ct)).Where(g => g.Level == GridLevels.Large && FireAccess.InScope(user, g.Path)));
        }

        var ids = townships.Select(t => t.Id).ToArray();
        var met = await db.TownshipAssessments.AsNoTracking().Where(a => a.Year == y && a.MeetsStandard && ids.Contains(a.GridId)).Select(a => a.GridId).ToListAsync(ct);
        var target = options.Rollout.TargetFor(y);
        var percent = townships.Count == 0 ? 0 : Math.Round(100.0 * met.Count / townships.Count, 1);
        return TypedResults.Ok(new
        {
            year = y,
            townships = townships.Count,
            meetingStandard = met.Count,
            percent,
            targetPercent = target,
            onTarget = percent >= target,
            met = townships.Where(t => met.Contains(t.Id)).Select(t => new { t.Id, t.Name }),
        });
    }

    /// <summary>
    /// Hazards found and cleared (查处率 = closed / found) and on time (closed without a missed deadline), and
    /// rectification notices met by their deadline, for each child grid of <c>gridId</c> (default: the county), over the
    /// days [from, to] in China Standard Time; ranked by clearance, then on-time rate.
    /// </summary>
    private static async Task<IResult> Hazards(
        ClaimsPrincipal user, FireDbContext db, CaseworkDatabase casework, IGridDirectory grids, string? gridId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors();
        if (from is null)
        {
            e.Add("from", "is required (yyyy-MM-dd)");
        }

        if (to is null)
        {
            e.Add("to", "is required (yyyy-MM-dd)");
        }
        else if (from is { } f0 && to < f0)
        {
            e.Add("to", "must be on or after 'from'");
        }

        var root = gridId is { Length: > 0 } ? await grids.FindAsync(gridId, ct) : (await grids.RootsAsync(Domains.Fire, ct)).FirstOrDefault();
        if (root is null)
        {
            e.Add("gridId", $"grid '{gridId}' is unknown");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (FireAccess.Deny(user, FireRoles.Staff, root!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var children = (await grids.SubtreeAsync(root.Id, ct)).Where(g => g.ParentId == root.Id).ToList();
        var ids = children.Select(c => c.Id).ToArray();
        var fromUtc = new DateTimeOffset(from!.Value.ToDateTime(TimeOnly.MinValue), ComplianceCalculator.ChinaOffset).ToUniversalTime();
        var toUtc = new DateTimeOffset(to!.Value.AddDays(1).ToDateTime(TimeOnly.MinValue), ComplianceCalculator.ChinaOffset).ToUniversalTime();

        var counts = new Dictionary<string, (long Found, long Cleared, long OnTime)>();
        await using (var conn = await casework.DataSource.OpenConnectionAsync(ct))
        await using (var cmd = new Npgsql.NpgsqlCommand("""
            SELECT g, count(*), count(*) FILTER (WHERE c.state = 'closed'), count(*) FILTER (WHERE c.state = 'closed' AND NOT c.breached)
            FROM casework.cases c CROSS JOIN LATERAL unnest(c.grid_path) AS g
            WHERE c.domain = 'fire' AND c.occurred_at >= $1 AND c.occurred_at < $2 AND g = ANY($3)
            GROUP BY g
            """, conn))
        {
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = fromUtc });
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = toUtc });
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = ids });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                counts[r.GetString(0)] = (r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
            }
        }

        var notices = await (from n in db.Notices.AsNoTracking()
                             join h in db.Hazards.AsNoTracking() on n.CaseId equals h.CaseId
                             where n.IssuedAt >= fromUtc && n.IssuedAt < toUtc
                             select new { h.GridPath, n.Status, n.Deadline, n.ReInspections }).ToListAsync(ct);

        static double Rate(long part, long whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
        var rows = children.Select(g =>
        {
            var (found, cleared, onTime) = counts.GetValueOrDefault(g.Id);
            var mine = notices.Where(n => n.GridPath.Contains(g.Id)).ToList();
            var metDeadline = mine.Count(n => n.ReInspections.Any(r => r.Passed && r.At <= n.Deadline));
            return new
            {
                gridId = g.Id,
                name = g.Name,
                found,
                cleared,
                clearanceRate = Rate(cleared, found),
                closedOnTime = onTime,
                onTimeRate = Rate(onTime, cleared),
                rectificationsOrdered = mine.Count,
                rectifiedByDeadline = metDeadline,
                rectificationOnTimeRate = Rate(metDeadline, mine.Count),
            };
        })
        .OrderByDescending(r => r.clearanceRate).ThenByDescending(r => r.onTimeRate).ThenByDescending(r => r.found).ThenBy(r => r.gridId)
        .Select((r, i) => new { rank = i + 1, r.gridId, r.name, r.found, r.cleared, r.clearanceRate, r.closedOnTime, r.onTimeRate, r.rectificationsOrdered, r.rectifiedByDeadline, r.rectificationOnTimeRate })
        .ToList();
        return TypedResults.Ok(new { grid = new { root.Id, root.Name }, from, to, rows });
    }
}
