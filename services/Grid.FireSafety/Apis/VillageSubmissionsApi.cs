using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>汇总上报: a village's open hazards by area, and their submission to the township fire office.</summary>
public static class VillageSubmissionsApi
{
    public static RouteGroupBuilder MapVillageSubmissionsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/villages/{gridId}/hazard-summary", VillageSummary).WithSummary("汇总: a village's open hazards by area.");
        api.MapPost("/villages/{gridId}/submissions", Submit).WithSummary("汇总上报: send a village's open hazards to the township fire office.");
        return api;
    }

    private static async Task<(IResult? Problem, GridNode? Village)> VillageAsync(HttpContext h, IGridDirectory grids, string gridId, string[] roles, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, roles) is { } denied)
        {
            return (denied, null);
        }

        var village = await grids.FindAsync(gridId, ct);
        if (village is null || village.Level != GridLevels.Mid)
        {
            return (new FieldErrors().Add("gridId", $"'{gridId}' is not a village/community grid (中网格)").Problem(), null);
        }

        return FireAccess.Deny(h.User, roles, village.Path) is { } outOfScope ? (outOfScope, null) : (null, village);
    }

    private static async Task<List<(Hazard Hazard, Case Case)>> OpenHazardsAsync(FireDbContext db, CaseworkDatabase casework, string villageId, CancellationToken ct)
    {
        var facets = await db.Hazards.AsNoTracking().Where(x => x.GridPath.Contains(villageId)).ToListAsync(ct);
        var result = new List<(Hazard, Case)>();
        await using var conn = await casework.DataSource.OpenConnectionAsync(ct);
        foreach (var f in facets)
        {
            if (await CaseRepository.GetAsync(conn, null, f.CaseId, false, ct) is { } c && CaseLifecycle.IsOpen(c.State))
            {
                result.Add((f, c));
            }
        }

        return result;
    }

    private static async Task<IResult> VillageSummary(string gridId, HttpContext h, IGridDirectory grids, FireDbContext db, CaseworkDatabase casework, CancellationToken ct)
    {
        var (problem, village) = await VillageAsync(h, grids, gridId, FireRoles.Staff, ct);
        if (problem is not null)
        {
            return problem;
        }

        var open = await OpenHazardsAsync(db, casework, village!.Id, ct);
        return TypedResults.Ok(new
        {
            village = new { village.Id, village.Name },
            open = open.Count,
            notYetSubmitted = open.Count(o => o.Hazard.SubmittedAt is null && o.Case.State is CaseState.Reported),
            byArea = open.GroupBy(o => o.Hazard.Area).OrderBy(g => g.Key).Select(g => new { area = g.Key, name = HazardAreas.Name(g.Key), count = g.Count() }),
            hazards = open.Select(o => new { o.Case.Id, o.Case.Number, o.Case.Title, state = CaseNames.Of(o.Case.State), o.Hazard.Area, o.Hazard.Major, o.Hazard.SubmittedAt }),
        });
    }

    /// <summary>
    /// 以村居(社区)为单位进行汇总并上报乡镇消防安全工作办公室 (004 六(四)): every reported, not yet submitted hazard of the
    /// village goes up the chain until the township (大网格) holds it.
    /// </summary>
    private static async Task<IResult> Submit(
        string gridId, HttpContext h, IGridDirectory grids, FireDbContext db, CaseworkDatabase casework, CaseService cases, TimeProvider time, CancellationToken ct)
    {
        string[] roles = [FireRoles.Admin, FireRoles.VillageFireManager, FireRoles.GridWorker];
        var (problem, village) = await VillageAsync(h, grids, gridId, roles, ct);
        if (problem is not null)
        {
            return problem;
        }

        var township = village!.ParentId;
        var submitted = new List<string>();
        foreach (var (hazard, c) in await OpenHazardsAsync(db, casework, village.Id, ct))
        {
            if (hazard.SubmittedAt is not null || c.State is not CaseState.Reported || township is null)
            {
                continue;
            }

            var current = c;
            for (var i = 0; i < 6 && current.HolderGridId != township; i++)
            {
                var step = await cases.ActAsync(current.Id, CaseAction.Escalate, new CaseActionRequest { Reason = "汇总上报乡镇消防安全工作办公室" },
                    CaseworkBridge.Compound(h, "village-submission"), ct);
                if (!CaseworkBridge.Ok(step))
                {
                    return CaseworkBridge.Problem(step);
                }

                current = step.Case!;
            }

            await db.Hazards.Where(x => x.CaseId == c.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.SubmittedAt, time.GetUtcNow()), ct);
            submitted.Add(c.Number);
        }

        return TypedResults.Ok(new { village = village.Id, township, submitted });
    }
}
