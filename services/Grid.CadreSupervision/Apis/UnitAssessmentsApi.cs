using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 单位考评: the employing unit's half of the two-way evaluation (双向考评), entered by the unit itself for its own cadres
/// (a <c>cadre-unit</c> contact of that unit) or by the discipline commission for the cadres of its grids. Feeds the
/// combined result of <c>GET /evaluations</c>; each score is on the cadre's audit chain.
/// </summary>
public static class UnitAssessmentsApi
{
    public sealed record Score(Guid? CadreId, decimal? Value);

    public sealed record ScoresRequest(IReadOnlyList<Score>? Scores);

    public static RouteGroupBuilder MapUnitAssessmentsApi(this RouteGroupBuilder api)
    {
        api.MapPut("/units/{departmentId}/assessments/{year:int}", Enter).WithSummary("单位考评: the unit scores its own cadres for the year, 0–100; all or none.");
        api.MapGet("/units/{departmentId}/assessments/{year:int}", Read).WithSummary("The unit's scores of its cadres for the year.");
        return api;
    }

    /// <summary>The unit's cadres the caller may assess: all of them for its contact; those in its grids for a file owner.</summary>
    private static IQueryable<Cadre> Assessable(CadreDbContext db, ClaimsPrincipal user, string departmentId)
    {
        var scopes = UnitsApi.OwnerScope(user);
        return db.Cadres.AsNoTracking().Where(c => c.DepartmentId == departmentId && (scopes == null || c.GridPath.Any(g => scopes.Contains(g))));
    }

    private static async Task<IResult> Enter(
        string departmentId, int year, ScoresRequest? req, ClaimsPrincipal user, CadreDbContext read, CaseworkDatabase casework, TimeProvider time,
        CancellationToken ct)
    {
        if (await UnitsApi.DenyUnitAsync(user, departmentId, read, ct) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        EvaluationsApi.CheckYear(e, year, time);
        if (req?.Scores is not { Count: > 0 and <= 1000 } scores)
        {
            e.Add("scores", "is required, 1 to 1000 scores [{cadreId, value}]");
            return e.Problem();
        }

        var ids = scores.Where(s => s.CadreId is not null).Select(s => s.CadreId!.Value).Distinct().ToList();
        var own = (await Assessable(read, user, departmentId).Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var seen = new HashSet<Guid>();
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            if (s.CadreId is not { } id || !own.Contains(id))
            {
                // The same words for a cadre of another unit and for none: a unit learns nothing of others' files.
                e.Add($"scores[{i}].cadreId", $"is required, a cadre of unit {departmentId}");
            }
            else if (!seen.Add(id))
            {
                e.Add($"scores[{i}].cadreId", "appears twice");
            }

            if (s.Value is not (>= 0 and <= 100))
            {
                e.Add($"scores[{i}].value", "is required, 0–100");
            }
        }

        if (e.Any)
        {
            return e.Problem();
        }

        var me = user.Subject();
        var now = time.GetUtcNow();
        var rows = new List<UnitAssessment>();
        await FileAudit.WriteAsync(casework, async db =>
        {
            var existing = await db.UnitAssessments.Where(a => a.Year == year && ids.Contains(a.CadreId)).ToDictionaryAsync(a => a.CadreId, ct);
            foreach (var s in scores)
            {
                var row = existing.GetValueOrDefault(s.CadreId!.Value) ?? db.UnitAssessments.Add(new UnitAssessment { CadreId = s.CadreId.Value, Year = year }).Entity;
                row.Score = s.Value!.Value;
                row.RecordedBy = me;
                row.RecordedAt = now;
                rows.Add(row);
            }

            await db.SaveChangesAsync(ct);
            return [.. rows.Select(r => ("unit-assessment", r.CadreId, FileAudit.Of(r)))];
        }, me, ct);
        return TypedResults.Ok(new { departmentId, year, recorded = rows.Count });
    }

    private static async Task<IResult> Read(string departmentId, int year, ClaimsPrincipal user, CadreDbContext db, CancellationToken ct)
    {
        if (await UnitsApi.DenyUnitAsync(user, departmentId, db, ct) is { } denied)
        {
            return denied;
        }

        var rows = await (from c in Assessable(db, user, departmentId)
                          join a in db.UnitAssessments.AsNoTracking().Where(a => a.Year == year) on c.Id equals a.CadreId into scored
                          from a in scored.DefaultIfEmpty()
                          orderby c.Name
                          select new { cadreId = c.Id, name = c.Name, post = c.Post, score = (decimal?)a.Score, recordedBy = a.RecordedBy, recordedAt = (DateTimeOffset?)a.RecordedAt })
            .Take(5000).ToListAsync(ct);
        return TypedResults.Ok(new { departmentId, year, cadres = rows });
    }
}
