using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>
/// 隐患: hazards as Casework cases of domain fire. Fire's steps — an on-the-spot fix, the village's submission to the
/// township fire office, the rectification notice, the re-inspection — drive the shared life cycle; the generic case
/// endpoints (/api/fire/v1/cases/...) stay available for everything else (escalate, transfer, summon, breaches).
/// </summary>
public static class HazardsApi
{
    public sealed record HazardRequest(
        string? GridId, Guid? PlaceId, string? Area, string? Title, string? Description, bool Major, bool FixedOnSpot, string? Result,
        DateTimeOffset? OccurredAt, string? Source);

    public sealed record HazardView(CaseView Case, Hazard? Hazard, IReadOnlyList<RectificationNotice> Notices, ListedSupervision? ListedSupervision, string? RewardStatus);

    public static RouteGroupBuilder MapHazardsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/hazards", Report).WithSummary("Report a hazard; fixedOnSpot=true records an on-the-spot fix (report → handled, awaiting the check).");
        api.MapGet("/hazards", List);
        api.MapGet("/hazards/{id:guid}", Get);
        api.MapGet("/hazards/ledger.xlsx", Ledger).WithSummary("隐患台账 as Excel.");
        return api;
    }

    private static async Task<IResult> Report(
        HazardRequest? req, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpContext h, FireDbContext db, IGridDirectory grids,
        CaseService cases, CancellationToken ct)
    {
        var user = h.User;
        if (FireAccess.Deny(user, FireCaseRoles.Defaults["report"]) is { } denied)
        {
            return denied;
        }

        if (req is null)
        {
            return new FieldErrors().Add("body", "is required").Problem();
        }

        var e = new FieldErrors().Require("title", req.Title).Max("description", req.Description, 4000).Max("result", req.Result, 4000);
        if (req.Area is null || !HazardAreas.All.Contains(req.Area))
        {
            e.Add("area", $"must be one of: {string.Join(", ", HazardAreas.All)}");
        }

        if (req.FixedOnSpot && string.IsNullOrWhiteSpace(req.Result))
        {
            e.Add("result", "say what was done when the hazard was fixed on the spot");
        }

        if (req.FixedOnSpot && req.Major)
        {
            e.Add("fixedOnSpot", "a major hazard (重大火灾隐患) goes to listed supervision; it cannot be closed on the spot");
        }

        if (req.Source is { } src && src is not ("patrol" or "inspection"))
        {
            e.Add("source", "must be patrol or inspection (public reports go through /public-reports)");
        }

        var grid = string.IsNullOrWhiteSpace(req.GridId) ? null : await grids.FindAsync(req.GridId, ct);
        if (grid is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }

        Place? place = null;
        if (req.PlaceId is { } pid)
        {
            place = await db.Places.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pid, ct);
            if (place is null)
            {
                e.Add("placeId", $"place {pid} is unknown");
            }
            else if (grid is not null && !place.GridPath.Contains(grid.Id))
            {
                e.Add("placeId", "the place is not in the given grid");
            }
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (FireAccess.Deny(user, FireCaseRoles.Defaults["report"], grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var report = new ReportCaseRequest
        {
            Category = req.Area,
            Severity = req.Major ? DeadlinePolicy.Major : DeadlinePolicy.General,
            Title = req.Title,
            Description = req.Description,
            Source = req.Source ?? "patrol",
            GridId = place?.GridId ?? grid.Id,
            OccurredAt = req.OccurredAt,
        };
        var context = new FireCaseContext { PlaceId = req.PlaceId, FixedOnSpot = req.FixedOnSpot };
        var outcome = await CaseStep.WithAsync(context, () => cases.ReportAsync(report, CaseworkBridge.ActorOf(h), idempotencyKey, ct));
        if (!CaseworkBridge.Ok(outcome))
        {
            return CaseworkBridge.Problem(outcome);
        }

        var c = outcome.Case!;
        if (req.FixedOnSpot && outcome.Status == 201)
        {
            // 当场整改: the finder fixed it; the case walks to Handled and waits for the village's check.
            var actor = CaseworkBridge.Compound(h, "on-the-spot");
            var steps = new (CaseAction Action, CaseActionRequest Body)[]
            {
                (CaseAction.Accept, new()), (CaseAction.Dispatch, new() { Assignee = actor.Subject }), (CaseAction.Start, new()),
                (CaseAction.Handle, new() { Result = req.Result }),
            };
            foreach (var (action, body) in steps)
            {
                var step = await cases.ActAsync(c.Id, action, body, actor, ct);
                if (!CaseworkBridge.Ok(step))
                {
                    return CaseworkBridge.Problem(step);
                }

                c = step.Case!;
            }
        }

        var view = await ViewAsync(db, CaseView.From(c), ct);
        return outcome.Status == 201 ? TypedResults.Created($"/api/fire/v1/hazards/{c.Id}", view) : TypedResults.Ok(view);
    }

    internal static async Task<HazardView> ViewAsync(FireDbContext db, CaseView c, CancellationToken ct)
    {
        var hazard = await db.Hazards.AsNoTracking().FirstOrDefaultAsync(x => x.CaseId == c.Id, ct);
        var notices = await db.Notices.AsNoTracking().Where(n => n.CaseId == c.Id).OrderBy(n => n.IssuedAt).ToListAsync(ct);
        var supervision = await db.ListedSupervisions.AsNoTracking().FirstOrDefaultAsync(l => l.CaseId == c.Id, ct);
        var reward = await db.RewardClaims.AsNoTracking().Where(r => r.CaseId == c.Id).Select(r => r.Status).FirstOrDefaultAsync(ct);
        return new HazardView(c, hazard, notices, supervision, reward);
    }

    private static async Task<IResult> Get(Guid id, HttpContext h, FireDbContext db, CaseService cases, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var outcome = await cases.GetAsync(id, CaseworkBridge.ActorOf(h), ct);
        return CaseworkBridge.Ok(outcome) ? TypedResults.Ok(await ViewAsync(db, CaseView.From(outcome.Case!), ct)) : CaseworkBridge.Problem(outcome);
    }

    private static async Task<IResult> List(
        HttpContext h, FireDbContext db, CaseworkDatabase casework, string? gridId, string? state, bool? major, long? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors();
        CaseState? st = null;
        if (state is not null)
        {
            if (CaseNames.TryParseState(state, out var s))
            {
                st = s;
            }
            else
            {
                e.Add("state", "is not a case state");
            }
        }

        if (limit is < 1 or > 200)
        {
            e.Add("limit", "must be between 1 and 200");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        var take = limit ?? 50;
        var scopes = FireAccess.ScopeFilter(h.User);
        var items = await CaseRepository.ListAsync(casework.DataSource, scopes, st, gridId, cursor, take, null, ct);
        var ids = items.Select(c => c.Id).ToList();
        var facets = await db.Hazards.AsNoTracking().Where(x => ids.Contains(x.CaseId)).ToDictionaryAsync(x => x.CaseId, ct);
        var rows = items
            .Where(c => major is null || (facets.TryGetValue(c.Id, out var f) && f.Major == major))
            .Select(c => new { @case = CaseView.From(c), hazard = facets.GetValueOrDefault(c.Id) })
            .ToList();
        return TypedResults.Ok(new { items = rows, nextCursor = items.Count == take ? items[^1].Seq.ToString() : null });
    }

    private static async Task<IResult> Ledger(HttpContext h, FireDbContext db, CaseworkDatabase casework, string? gridId, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var items = await CaseRepository.ListAsync(casework.DataSource, FireAccess.ScopeFilter(h.User), null, gridId, null, 5000, null, ct);
        var ids = items.Select(c => c.Id).ToList();
        var facets = await db.Hazards.AsNoTracking().Where(x => ids.Contains(x.CaseId)).ToDictionaryAsync(x => x.CaseId, ct);
        return LedgerFile.Excel("隐患台账", items.Select(c => new Dictionary<string, object?>
        {
            ["编号"] = c.Number,
            ["发现时间(北京时间)"] = ComplianceCalculator.ToChinaTime(c.OccurredAt).ToString("yyyy-MM-dd HH:mm"),
            ["网格"] = c.GridId,
            ["类别"] = HazardAreas.Name(c.Category),
            ["重大"] = facets.GetValueOrDefault(c.Id)?.Major == true ? "是" : "否",
            ["隐患"] = c.Title,
            ["状态"] = CaseNames.Of(c.State),
            ["整改单位"] = c.Assignee,
            ["整改期限"] = c.StepDeadline is { } d ? ComplianceCalculator.ToChinaTime(d).ToString("yyyy-MM-dd") : null,
            ["超期"] = c.Breached ? "是" : "否",
            ["当场整改"] = facets.GetValueOrDefault(c.Id)?.FixedOnSpot == true ? "是" : "否",
        }));
    }
}
