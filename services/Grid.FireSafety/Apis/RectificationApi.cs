using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>督促限期整改 / 复查 / 挂牌督办: the rectification notice with its deadline, its printable form, the re-inspection, and the listed supervisions.</summary>
public static class RectificationApi
{
    public static RouteGroupBuilder MapRectificationApi(this RouteGroupBuilder api)
    {
        api.MapPost("/hazards/{id:guid}/rectification", OrderRectification).WithSummary("督促限期整改: issue a rectification notice with a deadline.");
        api.MapGet("/hazards/{id:guid}/notice", NoticeHtml).WithSummary("The latest rectification notice as printable HTML.");
        api.MapPost("/hazards/{id:guid}/reinspection", ReInspect).WithSummary("复查: pass closes the hazard, fail reopens the rectification.");
        api.MapGet("/listed-supervisions", ListedSupervisions).WithSummary("挂牌督办 list with deadlines.");
        return api;
    }

    public sealed record RectificationRequest(DateTimeOffset? Deadline, IReadOnlyList<string>? Items, IReadOnlyList<string>? LegalBasis, string? UnitName);

    public sealed record ReInspectionRequest(bool? Passed, string? Note);

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

        return TypedResults.Created($"/api/fire/v1/hazards/{id}/notice", await HazardsApi.ViewAsync(db, CaseView.From(dispatched.Case!), ct));
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

        return TypedResults.Ok(await HazardsApi.ViewAsync(db, CaseView.From(c), ct));
    }

    /// <summary>Keyset paged by deadline and id (<see cref="KeysetPage"/>), the scope filter in the query.</summary>
    private static async Task<IResult> ListedSupervisions(HttpContext http, FireDbContext db, TimeProvider time, string? status, string? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(http.User, FireRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = FireAccess.Scoped(db.ListedSupervisions.AsNoTracking(), http.User, l => l.GridPath);
        if (status is { Length: > 0 })
        {
            q = q.Where(l => l.Status == status);
        }

        var now = time.GetUtcNow();
        return (await q.ReadPageAsync(cursor, limit, l => l.Deadline, l => l.Id, ct)).Ok(http, l => new SupervisionItem(l, l.Status == "open" && now > l.Deadline));
    }

    /// <summary>A listed supervision and whether its deadline has passed while it is open.</summary>
    private sealed record SupervisionItem(ListedSupervision Supervision, bool Overdue);
}
