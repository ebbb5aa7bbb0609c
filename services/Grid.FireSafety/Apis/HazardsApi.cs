using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

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

    public sealed record RectificationRequest(DateTimeOffset? Deadline, IReadOnlyList<string>? Items, IReadOnlyList<string>? LegalBasis, string? UnitName);

    public sealed record ReInspectionRequest(bool? Passed, string? Note);

    public sealed record HazardView(CaseView Case, Hazard? Hazard, IReadOnlyList<RectificationNotice> Notices, ListedSupervision? ListedSupervision, string? RewardStatus);

    public static RouteGroupBuilder MapHazardsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/hazards", Report).WithSummary("Report a hazard; fixedOnSpot=true records an on-the-spot fix (report → handled, awaiting the check).");
        api.MapGet("/hazards", List);
        api.MapGet("/hazards/{id:guid}", Get);
        api.MapGet("/villages/{gridId}/hazard-summary", VillageSummary).WithSummary("汇总: a village's open hazards by area.");
        api.MapPost("/villages/{gridId}/submissions", Submit).WithSummary("汇总上报: send a village's open hazards to the township fire office.");
        api.MapPost("/hazards/{id:guid}/rectification", OrderRectification).WithSummary("督促限期整改: issue a rectification notice with a deadline.");
        api.MapGet("/hazards/{id:guid}/notice", NoticeHtml).WithSummary("The latest rectification notice as printable HTML.");
        api.MapPost("/hazards/{id:guid}/reinspection", ReInspect).WithSummary("复查: pass closes the hazard, fail reopens the rectification.");
        api.MapGet("/listed-supervisions", ListedSupervisions).WithSummary("挂牌督办 list with deadlines.");
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

    private static async Task<IResult> OrderRectification(
        Guid id, RectificationRequest? req, HttpContext h, FireDbContext db, CaseService cases, FireOptions options, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, FireRoles.Rectifiers) is { } denied)
        {
            return denied;
        }

        var now = time.GetUtcNow();
        var e = new FieldErrors();
        if (req is null)
        {
            return e.Add("body", "is required").Problem();
        }

        var items = req.Items ?? [];
        if (items.Count == 0 || items.Count > 50)
        {
            e.Add("items", "list 1 to 50 items to rectify");
        }

        for (var i = 0; i < Math.Min(items.Count, 50); i++)
        {
            e.Require($"items[{i}]", items[i], 500);
        }

        if ((req.LegalBasis?.Count ?? 0) > 10 || (req.LegalBasis ?? []).Any(b => string.IsNullOrWhiteSpace(b) || b.Length > 500))
        {
            e.Add("legalBasis", "at most 10 entries of 1 to 500 characters");
        }

        e.Max("unitName", req.UnitName, 200);
        var got = await cases.GetAsync(id, CaseworkBridge.ActorOf(h), ct);
        if (!CaseworkBridge.Ok(got))
        {
            return CaseworkBridge.Problem(got);
        }

        var c = got.Case!;
        var hazard = await db.Hazards.AsNoTracking().FirstOrDefaultAsync(x => x.CaseId == id, ct);
        var supervision = await db.ListedSupervisions.AsNoTracking().FirstOrDefaultAsync(l => l.CaseId == id, ct);
        var latest = supervision?.Deadline ?? now.AddDays(options.Rectification.MaxDays);
        // No deadline given: the configured default, but never past a listed supervision's.
        var deadline = req.Deadline ?? (now.AddDays(options.Rectification.DefaultDays) < latest ? now.AddDays(options.Rectification.DefaultDays) : latest);
        if (deadline <= now)
        {
            e.Add("deadline", "must be in the future");
        }
        else if (deadline > latest)
        {
            e.Add("deadline", supervision is null
                ? $"must be within {options.Rectification.MaxDays} days (Fire:Rectification:MaxDays)"
                : "must not be later than the listed supervision's deadline");
        }

        var place = hazard?.PlaceId is { } pid ? await db.Places.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pid, ct) : null;
        if (place is null && string.IsNullOrWhiteSpace(req.UnitName))
        {
            e.Add("unitName", "is required when the hazard names no place");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        var actor = CaseworkBridge.ActorOf(h);
        if (!actor.May(cases.Roles.Holders("dispatch"), Grid.Contracts.Events.Domains.Fire, c.GridPath))
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: "Ordering rectification needs a post over the hazard's grid that may dispatch.");
        }

        if (c.State is CaseState.Reported or CaseState.Escalated)
        {
            // 立案 first: the office takes the hazard on, then orders the unit to rectify.
            var accepted = await cases.ActAsync(id, CaseAction.Accept, new CaseActionRequest(), actor, ct);
            if (!CaseworkBridge.Ok(accepted))
            {
                return CaseworkBridge.Problem(accepted);
            }
        }

        var notice = new RectificationNotice
        {
            Id = Guid.CreateVersion7(now),
            PlaceId = place?.Id,
            UnitName = place?.Name ?? req.UnitName!.Trim(),
            UnitAddress = place?.Address,
            Items = [.. items.Select(i => i.Trim())],
            LegalBasis = req.LegalBasis is { Count: > 0 } lb ? [.. lb] : [.. RectificationNoticeDocument.DefaultLegalBasis],
            Deadline = deadline.ToUniversalTime(),
            IssuedBy = actor.Subject,
            IssuerName = options.Rectification.IssuerName,
        };
        var dispatched = await CaseStep.WithAsync(new FireCaseContext { Notice = notice }, () => cases.ActAsync(id, CaseAction.Dispatch,
            new CaseActionRequest { Assignee = notice.UnitName, Department = place?.ResponsiblePerson, HandleBy = notice.Deadline }, actor, ct));
        if (!CaseworkBridge.Ok(dispatched))
        {
            return CaseworkBridge.Problem(dispatched);
        }

        return TypedResults.Created($"/api/fire/v1/hazards/{id}/notice", await ViewAsync(db, CaseView.From(dispatched.Case!), ct));
    }

    private static async Task<IResult> NoticeHtml(Guid id, HttpContext h, FireDbContext db, CaseService cases, IGridDirectory grids, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var got = await cases.GetAsync(id, CaseworkBridge.ActorOf(h), ct);
        if (!CaseworkBridge.Ok(got))
        {
            return CaseworkBridge.Problem(got);
        }

        var notice = await db.Notices.AsNoTracking().Where(n => n.CaseId == id).OrderByDescending(n => n.IssuedAt).FirstOrDefaultAsync(ct);
        if (notice is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "No rectification notice", detail: "No notice was issued for this hazard.");
        }

        var grid = await grids.FindAsync(got.Case!.GridId, ct);
        return TypedResults.Content(RectificationNoticeDocument.Render(notice, grid?.Name), "text/html; charset=utf-8");
    }

    private static async Task<IResult> ReInspect(Guid id, ReInspectionRequest? req, HttpContext h, FireDbContext db, CaseService cases, TimeProvider time, CancellationToken ct)
    {
        string[] roles = [.. FireCaseRoles.Defaults["verify-pass"], FireRoles.Admin];
        if (FireAccess.Deny(h.User, roles) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors().Max("note", req?.Note, 2000);
        if (req?.Passed is null)
        {
            e.Add("passed", "is required (true: 复查合格, false: 复查不合格)");
        }
        else if (req.Passed == false && string.IsNullOrWhiteSpace(req.Note))
        {
            e.Add("note", "say what is still wrong when the re-inspection fails");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        var actor = CaseworkBridge.ActorOf(h);
        var re = new ReInspection { At = time.GetUtcNow(), By = actor.Subject, Passed = req!.Passed!.Value, Note = req.Note };
        var verified = await CaseStep.WithAsync(new FireCaseContext { ReInspection = re }, () => cases.ActAsync(id,
            re.Passed ? CaseAction.VerifyPass : CaseAction.VerifyFail, new CaseActionRequest { Reason = req.Note }, actor, ct));
        if (!CaseworkBridge.Ok(verified))
        {
            return CaseworkBridge.Problem(verified);
        }

        var c = verified.Case!;
        if (re.Passed)
        {
            var closed = await cases.ActAsync(id, CaseAction.Close, new CaseActionRequest(), actor, ct);
            if (!CaseworkBridge.Ok(closed))
            {
                return CaseworkBridge.Problem(closed);
            }

            c = closed.Case!;
        }

        return TypedResults.Ok(await ViewAsync(db, CaseView.From(c), ct));
    }

    private static async Task<IResult> ListedSupervisions(ClaimsPrincipal user, FireDbContext db, TimeProvider time, string? status, CancellationToken ct)
    {
        if (FireAccess.Deny(user, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = db.ListedSupervisions.AsNoTracking();
        if (FireAccess.ScopeFilter(user) is { } scopes)
        {
            q = q.Where(l => l.GridPath.Any(g => scopes.Contains(g)));
        }

        if (status is { Length: > 0 })
        {
            q = q.Where(l => l.Status == status);
        }

        var now = time.GetUtcNow();
        var rows = await q.OrderBy(l => l.Deadline).Take(1000).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(l => new { supervision = l, overdue = l.Status == "open" && now > l.Deadline }));
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
        return Apis.Ledger.Excel("隐患台账", items.Select(c => new Dictionary<string, object?>
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
