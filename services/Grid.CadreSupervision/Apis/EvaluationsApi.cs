using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 亮承诺/践诺 and 双向考评: a cadre's public commitments and their half-year progress; the year-end verdicts of residents,
/// representatives and service users (民评); the unit's own assessment; the combined result per cadre and per unit.
/// </summary>
public static class EvaluationsApi
{
    public sealed record CommitmentRequest(int? Year, string? Text);

    public sealed record ProgressRequest(string? Progress);

    public sealed record Verdict(string? RaterKind, int? Score, string? Rating);

    public sealed record VerdictsRequest(int? Year, IReadOnlyList<Verdict>? Verdicts);

    public sealed record AssessmentRequest(decimal? Score);

    public sealed record CadreResult(Guid CadreId, string Name, string DepartmentId, string DepartmentName, int Verdicts, decimal? Residents, decimal? Unit, decimal? Combined);

    public sealed record UnitResult(string DepartmentId, string DepartmentName, int Cadres, int Evaluated, decimal? Combined);

    public static RouteGroupBuilder MapEvaluationsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/cadres/{id:guid}/commitments", Commit).WithSummary("亮承诺: a public commitment for the year.");
        api.MapPost("/cadres/{id:guid}/commitments/{commitmentId:guid}/progress", Progress).WithSummary("践诺推进: the half-year progress of a commitment.");
        api.MapPost("/cadres/{id:guid}/evaluations", Evaluate).WithSummary("民评: the year-end verdicts (score 1–5 or satisfied/basic/dissatisfied), all or none.");
        api.MapPut("/cadres/{id:guid}/unit-assessment/{year:int}", Assess).WithSummary("单位考评: the unit's own assessment, 0–100.");
        api.MapGet("/evaluations", Results).WithSummary("双向考评: the combined result per cadre and per unit for a year.");
        return api;
    }

    private static async Task<(IResult? Problem, Cadre? Cadre)> OwnedAsync(Guid id, ClaimsPrincipal user, CadreDbContext db, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return (denied, null);
        }

        var cadre = await db.Cadres.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        return cadre is null || !CadreAccess.Covers(user, CadreRoles.FileOwners, cadre.GridPath) ? (GridProblems.NotFound("Cadre", id), null) : (null, cadre);
    }

    internal static void CheckYear(Errors e, int? year, TimeProvider time)
    {
        if (year is not { } y || y < 2000 || y > time.GetUtcNow().Year + 1)
        {
            e.Add("year", "is required, a year up to next year");
        }
    }

    private static async Task<IResult> Commit(
        Guid id, CommitmentRequest? req, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, TimeProvider time, CancellationToken ct)
    {
        if (await OwnedAsync(id, user, db, ct) is ({ } problem, _))
        {
            return problem;
        }

        var e = new Errors();
        CheckYear(e, req?.Year, time);
        var text = e.Text("text", req?.Text, 1000);
        if (e.Any)
        {
            return e.Problem();
        }

        var c = new Commitment { Id = Guid.CreateVersion7(), CadreId = id, Year = req!.Year!.Value, Text = text, RecordedBy = user.Subject(), RecordedAt = time.GetUtcNow() };
        await FileAudit.WriteAsync(casework, async w =>
        {
            w.Commitments.Add(c);
            await w.SaveChangesAsync(ct);
            return [("commitment", id, FileAudit.Of(c))];
        }, c.RecordedBy, ct);
        return TypedResults.Created($"/api/cadre/v1/cadres/{id}/commitments/{c.Id}", c);
    }

    private static async Task<IResult> Progress(
        Guid id, Guid commitmentId, ProgressRequest? req, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, CancellationToken ct)
    {
        if (await OwnedAsync(id, user, db, ct) is ({ } problem, _))
        {
            return problem;
        }

        var e = new Errors();
        var progress = e.Text("progress", req?.Progress, 2000);
        if (e.Any)
        {
            return e.Problem();
        }

        Commitment? c = null;
        await FileAudit.WriteAsync(casework, async w =>
        {
            c = await w.Commitments.FirstOrDefaultAsync(x => x.Id == commitmentId && x.CadreId == id, ct);
            if (c is null)
            {
                return [];
            }

            c.Progress = progress;
            await w.SaveChangesAsync(ct);
            return [("commitment-progress", id, FileAudit.Of(c))];
        }, user.Subject(), ct);
        return c is null ? GridProblems.NotFound("Commitment", commitmentId) : TypedResults.Ok(c);
    }

    private static async Task<IResult> Evaluate(
        Guid id, VerdictsRequest? req, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, CadreOptions options, TimeProvider time,
        CancellationToken ct)
    {
        if (await OwnedAsync(id, user, db, ct) is ({ } problem, _))
        {
            return problem;
        }

        var e = new Errors();
        CheckYear(e, req?.Year, time);
        if (req?.Verdicts is not { Count: > 0 and <= 1000 } verdicts)
        {
            e.Add("verdicts", "is required, 1 to 1000 verdicts");
            return e.Problem();
        }

        for (var i = 0; i < verdicts.Count; i++)
        {
            var v = verdicts[i];
            if (!EvaluationRules.RaterKinds.Contains(v.RaterKind))
            {
                e.Add($"verdicts[{i}].raterKind", $"one of: {string.Join(", ", EvaluationRules.RaterKinds)}");
            }

            if ((v.Score is null) == (v.Rating is null) || v.Score is < 1 or > 5 || (v.Rating is { } r && !options.Evaluation.RatingPoints.ContainsKey(r)))
            {
                e.Add($"verdicts[{i}]", $"either a score 1–5 or a rating ({string.Join(", ", options.Evaluation.RatingPoints.Keys)})");
            }
        }

        if (e.Any)
        {
            return e.Problem();
        }

        var now = time.GetUtcNow();
        var me = user.Subject();
        var rows = verdicts.Select(v => new ResidentEvaluation
        {
            Id = Guid.CreateVersion7(),
            CadreId = id,
            Year = req.Year!.Value,
            RaterKind = v.RaterKind!,
            Score = v.Score,
            Rating = v.Rating,
            RecordedBy = me,
            RecordedAt = now,
        }).ToList();
        await FileAudit.WriteAsync(casework, async w =>
        {
            w.Evaluations.AddRange(rows);
            await w.SaveChangesAsync(ct);
            return [.. rows.Select(r => ("evaluation", id, FileAudit.Of(r)))];
        }, me, ct);
        return TypedResults.Ok(new { recorded = verdicts.Count });
    }

    private static async Task<IResult> Assess(
        Guid id, int year, AssessmentRequest? req, ClaimsPrincipal user, CadreDbContext db, CaseworkDatabase casework, TimeProvider time, CancellationToken ct)
    {
        if (await OwnedAsync(id, user, db, ct) is ({ } problem, _))
        {
            return problem;
        }

        var e = new Errors();
        CheckYear(e, year, time);
        if (req?.Score is not ({ } s and >= 0 and <= 100))
        {
            e.Add("score", "is required, 0–100");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        UnitAssessment? row = null;
        await FileAudit.WriteAsync(casework, async w =>
        {
            row = await w.UnitAssessments.FirstOrDefaultAsync(a => a.CadreId == id && a.Year == year, ct)
                ?? w.UnitAssessments.Add(new UnitAssessment { CadreId = id, Year = year }).Entity;
            row.Score = req!.Score!.Value;
            row.RecordedBy = user.Subject();
            row.RecordedAt = time.GetUtcNow();
            await w.SaveChangesAsync(ct);
            return [("unit-assessment", id, FileAudit.Of(row))];
        }, user.Subject(), ct);
        return TypedResults.Ok(row);
    }

    private static async Task<IResult> Results(ClaimsPrincipal user, CadreDbContext db, CadreOptions options, int? year, string? departmentId, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        if (year is null)
        {
            return GridProblems.Invalid("year", "is required");
        }

        var cadres = await CadresApi.Scoped(db.Cadres.AsNoTracking(), user, CadreRoles.FileOwners)
            .Where(c => departmentId == null || c.DepartmentId == departmentId).OrderBy(c => c.Id).Take(5000).ToListAsync(ct);
        var ids = cadres.Select(c => c.Id).ToList();
        var verdicts = (await db.Evaluations.AsNoTracking().Where(v => v.Year == year && ids.Contains(v.CadreId)).ToListAsync(ct)).ToLookup(v => v.CadreId);
        var units = await db.UnitAssessments.AsNoTracking().Where(a => a.Year == year && ids.Contains(a.CadreId)).ToDictionaryAsync(a => a.CadreId, a => a.Score, ct);
        var rules = options.Evaluation;
        var perCadre = cadres.Select(c =>
        {
            var residents = rules.Residents(verdicts[c.Id]);
            decimal? unit = units.TryGetValue(c.Id, out var u) ? u : null;
            return new CadreResult(c.Id, c.Name, c.DepartmentId, c.DepartmentName, verdicts[c.Id].Count(), residents, unit, rules.Combined(residents, unit));
        }).ToList();
        var perUnit = perCadre.GroupBy(r => (r.DepartmentId, r.DepartmentName)).Select(g =>
        {
            var done = g.Where(r => r.Combined is not null).Select(r => r.Combined!.Value).ToList();
            return new UnitResult(g.Key.DepartmentId, g.Key.DepartmentName, g.Count(), done.Count, done.Count == 0 ? null : Math.Round(done.Average(), 2));
        }).OrderByDescending(u => u.Combined).ToList();
        return TypedResults.Ok(new { year, weights = new { rules.ResidentsWeight, rules.RaterWeights }, cadres = perCadre, units = perUnit });
    }
}
