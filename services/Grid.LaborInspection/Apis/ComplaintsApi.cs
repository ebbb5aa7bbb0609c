using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>
/// 投诉/举报: complaints against an employer, taken by a village coordinator or the hotline, as Casework cases of
/// domain labor (category <c>complaint</c>) with the complainant sealed in Casework's reporter store, and the law's
/// working-day clock kept beside the case.
/// </summary>
public static class ComplaintsApi
{
    public const string Category = ComplaintDesk.Category;

    public sealed record ComplainantDto(string? Name, string? Phone, string? IdNumber);

    public sealed record ComplaintRequest(
        Guid? EmployerId, string? Channel, string? Title, string? Description, DateOnly? ViolationEndedOn, int? Workers,
        decimal? AmountClaimed, ComplainantDto? Complainant);

    public sealed record ExtendRequest(string? Reason);

    public sealed record ComplaintView(
        Guid CaseId, string? Number, string? State, Guid EmployerId, string Channel, DateOnly ReceivedOn, DateOnly AcceptBy,
        DateOnly? AcceptedOn, DateOnly? FinishBy, int Extensions, DateOnly? FinishedOn, string? RefusedReason, int Workers, decimal? AmountClaimed,
        string? MajorReason, string? HolderGridId)
    {
        public static ComplaintView From(Complaint c, CaseView? view) => new(c.CaseId, view?.Number, view?.State, c.EmployerId, c.Channel,
            c.ReceivedOn, c.AcceptBy, c.AcceptedOn, c.FinishBy, c.Extensions, c.FinishedOn, c.RefusedReason, c.Workers, c.AmountClaimed,
            c.MajorReason, view?.HolderGridId);
    }

    public static RouteGroupBuilder MapComplaintsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/complaints", Take).WithSummary("Take a complaint (投诉/举报) against an employer; the complainant is sealed.");
        api.MapGet("/complaints/{id:guid}", Get).WithSummary("The complaint's clock: accept-by, finish-by, extension (never the complainant).");
        api.MapPost("/complaints/{id:guid}/extend", Extend).WithSummary("延期: once, 30 working days, approved by the office or brigade.");
        api.MapPost("/complaints/{id:guid}/mediation", Mediate).WithSummary("调处: the township settles an ordinary wage dispute; the record is the case's result.");
        api.MapGet("/complaints/breaches", Breaches).WithSummary("超期记录: legal deadlines missed, in the caller's scope.");
        return api;
    }

    private static IReadOnlyList<string> Roles(CaseRoles roles, string step) => roles.For(step);

    private static async Task<IResult> Take(
        ComplaintRequest? req, HttpContext h, LaborDbContext db, CaseService cases, ComplaintDesk desk, CaseRoles roles, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (LaborAccess.Deny(user, Roles(roles, "report")) is { } denied)
        {
            return denied;
        }

        var today = LaborDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        void Add(string f, string m) => (errors.TryGetValue(f, out var l) ? l : errors[f] = []).Add(m);
        if (req is null)
        {
            return GridProblems.Invalid("body", "is required");
        }

        if (req.Channel is not ("village" or "hotline"))
        {
            Add("channel", "must be village or hotline");
        }

        if (string.IsNullOrWhiteSpace(req.Title) || req.Title.Length > 200)
        {
            Add("title", "is required, at most 200 characters");
        }

        if (req.ViolationEndedOn > today)
        {
            Add("violationEndedOn", "must not be in the future");
        }

        if (req.Workers is < 1)
        {
            Add("workers", "must be at least 1");
        }

        if (req.AmountClaimed is < 0)
        {
            Add("amountClaimed", "must not be negative");
        }

        if (string.IsNullOrWhiteSpace(req.Complainant?.Name))
        {
            Add("complainant.name", "is required (sealed: only the labor office and brigade can read it)");
        }

        Employer? employer = null;
        if (req.EmployerId is not { } employerId)
        {
            Add("employerId", "is required");
        }
        else if ((employer = await EmployersApi.Scoped(db.Employers.AsNoTracking(), user).FirstOrDefaultAsync(e => e.Id == employerId, ct)) is null)
        {
            Add("employerId", $"no employer {employerId} on file in your grid scope");
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var draft = new ComplaintDraft(req.Channel!, req.Title!.Trim(), string.IsNullOrWhiteSpace(req.Description) ? req.Title!.Trim() : req.Description.Trim(),
            req.ViolationEndedOn, req.Workers ?? 1, req.AmountClaimed,
            new ReporterIdentity { Name = req.Complainant!.Name!.Trim(), Phone = req.Complainant.Phone, IdNumber = req.Complainant.IdNumber });
        var taken = await desk.TakeAsync(employer!, draft, CaseworkBridge.ActorOf(h), h.Request.Headers["Idempotency-Key"].FirstOrDefault(), ct);
        if (taken.CaseId is not { } caseId)
        {
            return CaseworkBridge.Problem(taken.Outcome);
        }

        var saved = await db.Complaints.AsNoTracking().FirstAsync(c => c.CaseId == caseId, ct);
        var view = await cases.GetAsync(caseId, Actor.System("labor:view"), ct);
        var result = ComplaintView.From(saved, view.Case is { } c ? CaseView.From(c) : null);
        return TypedResults.Created($"/api/labor/v1/complaints/{caseId}", new { complaint = result, summons = taken.Summons });
    }

    private static async Task<IResult> Get(Guid id, HttpContext h, LaborDbContext db, CaseService cases, CaseRoles roles, CancellationToken ct)
    {
        if (LaborAccess.Deny(h.User, Roles(roles, "read")) is { } denied)
        {
            return denied;
        }

        var complaint = await db.Complaints.AsNoTracking().FirstOrDefaultAsync(c => c.CaseId == id, ct);
        if (complaint is null || !LaborAccess.InScope(h.User, complaint.GridPath))
        {
            return GridProblems.NotFound("Complaint", id);
        }

        var view = await cases.GetAsync(id, CaseworkBridge.ActorOf(h), ct);
        return TypedResults.Ok(ComplaintView.From(complaint, view.Case is { } c ? CaseView.From(c) : null));
    }

    private static async Task<IResult> Extend(
        Guid id, ExtendRequest? req, HttpContext h, LaborDbContext db, ComplaintClock clock, CancellationToken ct)
    {
        if (LaborAccess.Deny(h.User, [LaborRoles.Admin, LaborRoles.Office, LaborRoles.Brigade]) is { } denied)
        {
            return denied;
        }

        var complaint = await db.Complaints.FirstOrDefaultAsync(c => c.CaseId == id, ct);
        if (complaint is null || !LaborAccess.InScope(h.User, complaint.GridPath))
        {
            return GridProblems.NotFound("Complaint", id);
        }

        if (LaborAccess.Deny(h.User, [LaborRoles.Admin, LaborRoles.Office, LaborRoles.Brigade], complaint.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        if (string.IsNullOrWhiteSpace(req?.Reason) || req.Reason.Length > 500)
        {
            return GridProblems.Invalid("reason", "is required (情况复杂 …), at most 500 characters");
        }

        if (complaint.AcceptedOn is not { } accepted || complaint.FinishedOn is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not running",
                detail: "Only an accepted, unfinished complaint can be extended.");
        }

        if (!clock.CanExtend(complaint.Extensions))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already extended",
                detail: $"A complaint may be extended {clock.Rules.MaxExtensions} time(s).");
        }

        complaint.Extensions++;
        complaint.ExtensionApprovedBy = h.User.Subject();
        complaint.FinishBy = clock.FinishBy(accepted, complaint.Extensions);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ComplaintView.From(complaint, null));
    }

    public sealed record MediationRequest(IReadOnlyList<MediationParty>? Parties, decimal? AmountClaimed, decimal? AmountAgreed, DateOnly? PaidOn);

    private static async Task<IResult> Mediate(
        Guid id, MediationRequest? req, HttpContext h, LaborDbContext db, ComplaintDesk desk, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(h.User, [LaborRoles.Admin, LaborRoles.Office, LaborRoles.Brigade]) is { } denied)
        {
            return denied;
        }

        var complaint = await db.Complaints.AsNoTracking().FirstOrDefaultAsync(c => c.CaseId == id, ct);
        if (complaint is null || !LaborAccess.InScope(h.User, complaint.GridPath))
        {
            return GridProblems.NotFound("Complaint", id);
        }

        if (LaborAccess.Deny(h.User, [LaborRoles.Admin, LaborRoles.Office, LaborRoles.Brigade], complaint.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        var today = LaborDay.Today(time);
        var errors = Mediation.Check(req?.Parties, req?.AmountClaimed, req?.AmountAgreed, req?.PaidOn, today);
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (complaint.MajorReason is not null || complaint.AcceptedOn is null || complaint.FinishedOn is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not a township dispute",
                detail: complaint.MajorReason ?? "Only an accepted, unfinished complaint can be settled by mediation.");
        }

        var actor = CaseworkBridge.ActorOf(h);
        var mediation = new Mediation
        {
            Id = Guid.CreateVersion7(),
            EmployerId = complaint.EmployerId,
            Parties = req!.Parties!.Select(p => $"{p.Side}: {p.Name!.Trim()}").ToList(),
            AmountClaimed = req.AmountClaimed!.Value,
            AmountAgreed = req.AmountAgreed!.Value,
            PaidOn = req.PaidOn,
            MediatedBy = actor.Subject,
            MediatedOn = today,
        };
        var handled = await desk.MediateAsync(complaint, mediation, actor, ct);
        return CaseworkBridge.Ok(handled) ? TypedResults.Created($"/api/labor/v1/complaints/{id}/mediation", mediation) : CaseworkBridge.Problem(handled);
    }

    private static async Task<IResult> Breaches(ClaimsPrincipal user, LaborDbContext db, CaseRoles roles, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, Roles(roles, "read")) is { } denied)
        {
            return denied;
        }

        var q = LaborAccess.Scoped(db.ComplaintBreaches.AsNoTracking(), user, b => b.GridPath);
        return TypedResults.Ok(await q.OrderByDescending(b => b.Deadline).Take(500).ToListAsync(ct));
    }
}
