using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>巡视检查 / 专项检查: inspection records with checklist and findings, and the plan the ratings make.</summary>
public static class InspectionsApi
{
    public sealed record ChecklistDto(string? Item, bool? Ok, string? Note);

    public sealed record FindingDto(string? Description, DateOnly? RectifyBy, bool? FollowUp);

    public sealed record InspectionRequest(
        Guid? EmployerId, Guid? TaskId, DateOnly? InspectedOn, string? Summary, IReadOnlyList<ChecklistDto>? Checklist, IReadOnlyList<FindingDto>? Findings);

    public static RouteGroupBuilder MapInspectionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/inspections", Record).WithSummary("Record an inspection (巡视检查, or a campaign task's 专项检查) with checklist and findings; findings may open follow-up cases.");
        api.MapGet("/inspections", List).WithSummary("Inspections in scope, newest id last, paged by cursor.");
        api.MapGet("/inspections/{id:guid}", Get);
        api.MapGet("/inspections/{id:guid}/order", Order).WithSummary("限期整改指令书: the inspection's findings with deadlines as a printable HTML page.");
        api.MapGet("/inspections/plan", Plan).WithSummary("巡视检查计划: each employer's next due inspection, the overdue, required vs done in a period, per grid.");
        return api;
    }

    private static async Task<IResult> Record(InspectionRequest? req, HttpContext h, LaborDbContext db, InspectionDesk desk, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (LaborAccess.Deny(user, LaborRoles.Recorders) is { } denied)
        {
            return denied;
        }

        if (req is null)
        {
            return GridProblems.Invalid("body", "is required");
        }

        var today = LaborDay.Today(time);
        var on = req.InspectedOn ?? today;
        var errors = new Dictionary<string, List<string>>();
        void Add(string f, string m) => (errors.TryGetValue(f, out var l) ? l : errors[f] = []).Add(m);
        if (on > today)
        {
            Add("inspectedOn", "must not be in the future");
        }
        else if (on < today.AddDays(-366))
        {
            Add("inspectedOn", "is more than a year back");
        }

        if (req.Summary is { Length: > 2000 })
        {
            Add("summary", "must be at most 2000 characters");
        }

        var checklist = req.Checklist ?? [];
        if (checklist.Count is 0 or > 50)
        {
            Add("checklist", $"list 1 to 50 items checked ({string.Join(", ", ChecklistEntry.Items)})");
        }

        for (var i = 0; i < Math.Min(checklist.Count, 50); i++)
        {
            if (checklist[i].Item is not { } item || !ChecklistEntry.Items.Contains(item))
            {
                Add($"checklist[{i}].item", $"must be one of {string.Join(", ", ChecklistEntry.Items)}");
            }

            if (checklist[i].Ok is null)
            {
                Add($"checklist[{i}].ok", "is required");
            }

            if (checklist[i].Note is { Length: > 500 })
            {
                Add($"checklist[{i}].note", "must be at most 500 characters");
            }
        }

        var findings = req.Findings ?? [];
        if (findings.Count > 50)
        {
            Add("findings", "at most 50");
        }

        for (var i = 0; i < Math.Min(findings.Count, 50); i++)
        {
            if (string.IsNullOrWhiteSpace(findings[i].Description) || findings[i].Description!.Length > 500)
            {
                Add($"findings[{i}].description", "is required, at most 500 characters");
            }

            if (findings[i].RectifyBy is { } by && (by <= on || by > on.AddDays(180)))
            {
                Add($"findings[{i}].rectifyBy", "must be after the inspection and within 180 days of it");
            }
        }

        Employer? employer = null;
        if (req.EmployerId is not { } employerId)
        {
            Add("employerId", "is required");
        }
        else if ((employer = await EmployersApi.Scoped(db.Employers, user).FirstOrDefaultAsync(e => e.Id == employerId, ct)) is null)
        {
            Add("employerId", $"no employer {employerId} on file in your grid scope");
        }

        CampaignTask? task = null;
        if (req.TaskId is { } taskId && employer is not null)
        {
            task = await db.CampaignTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId && t.EmployerId == employer.Id, ct);
            var campaign = task is null ? null : await db.Campaigns.AsNoTracking().FirstAsync(c => c.Id == task.CampaignId, ct);
            if (campaign is null)
            {
                Add("taskId", "is no campaign task of this employer");
            }
            else if (on < campaign.From || on > campaign.To)
            {
                Add("inspectedOn", $"must fall in the campaign's period ({campaign.From:yyyy-MM-dd} to {campaign.To:yyyy-MM-dd})");
            }
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        // The role must be held over the employer's grid itself (per post), not only somewhere in scope.
        if (LaborAccess.Deny(user, LaborRoles.Recorders, employer!.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        if (task?.DoneOn is not null)
        {
            return GridProblems.Conflict("Task already done", "This campaign task was already completed by another inspection.");
        }

        var draft = new InspectionDraft(on, string.IsNullOrWhiteSpace(req.Summary) ? null : req.Summary.Trim(),
            [.. checklist.Select(c => new ChecklistEntry { Item = c.Item!, Ok = c.Ok!.Value, Note = string.IsNullOrWhiteSpace(c.Note) ? null : c.Note.Trim() })],
            [.. findings.Select(f => new FindingDraft(f.Description!.Trim(), f.RectifyBy, f.FollowUp == true))]);
        var recorded = await desk.RecordAsync(employer, task, draft, CaseworkBridge.ActorOf(h), DomainAccess.ActorName(user), ct);
        if (recorded.Inspection is not { } inspection)
        {
            return GridProblems.Conflict("Task already done", recorded.Conflict!);
        }

        return TypedResults.Created($"/api/labor/v1/inspections/{inspection.Id}", new { inspection, followUps = recorded.FollowUps, rating = new { employer.Risk, employer.NextInspectionDue } });
    }

    private static IQueryable<Inspection> Scoped(IQueryable<Inspection> q, ClaimsPrincipal user) => LaborAccess.Scoped(q, user, i => i.GridPath);

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, LaborDbContext db, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var inspection = await Scoped(db.Inspections.AsNoTracking(), user).FirstOrDefaultAsync(i => i.Id == id, ct);
        return inspection is null ? GridProblems.NotFound("Inspection", id) : TypedResults.Ok(inspection);
    }

    private static async Task<IResult> Order(Guid id, ClaimsPrincipal user, LaborDbContext db, IGridDirectory grids, LaborOptions options, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Recorders) is { } denied)
        {
            return denied;
        }

        var inspection = await Scoped(db.Inspections.AsNoTracking(), user).FirstOrDefaultAsync(i => i.Id == id, ct);
        if (inspection is null)
        {
            return GridProblems.NotFound("Inspection", id);
        }

        if (!inspection.Findings.Any(f => f.RectifyBy is not null))
        {
            return TypedResults.Problem(statusCode: 404, title: "No rectification order", detail: "This inspection found nothing to correct by a deadline.");
        }

        var employer = await db.Employers.AsNoTracking().FirstAsync(e => e.Id == inspection.EmployerId, ct);
        var grid = await grids.FindAsync(inspection.GridId, ct);
        return TypedResults.Content(RectificationOrderDocument.Render(inspection, employer, grid?.Name, options.IssuerName), "text/html; charset=utf-8");
    }

    private static async Task<IResult> List(
        HttpContext http, LaborDbContext db, string? gridId, Guid? employerId, Guid? campaignId, DateOnly? from, DateOnly? to, string? cursor, int? limit, CancellationToken ct)
    {
        if (LaborAccess.Deny(http.User, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.Inspections.AsNoTracking(), http.User).UnderGrid(gridId, i => i.GridPath);
        if (employerId is { } e)
        {
            q = q.Where(i => i.EmployerId == e);
        }

        if (campaignId is { } c)
        {
            q = q.Where(i => i.CampaignId == c);
        }

        if (from is { } f)
        {
            q = q.Where(i => i.InspectedOn >= f);
        }

        if (to is { } t)
        {
            q = q.Where(i => i.InspectedOn <= t);
        }

        return (await q.ReadPageAsync(cursor, limit, i => i.Id, ct)).OkWithCursor(http, i => i);
    }

    /// <summary>
    /// The plan for [from, to] (default: this month) under <c>gridId</c> (default: the caller's one post grid, else the
    /// district): per employer its interval, next due date, overdue or not, inspections required and done in the period;
    /// per grid one level below the same summed. The overdue first, then by due date.
    /// </summary>
    private static async Task<IResult> Plan(
        ClaimsPrincipal user, LaborDbContext db, IGridDirectory grids, InspectionPlan plan, TimeProvider time,
        string? gridId, DateOnly? from, DateOnly? to, bool? overdueOnly, int? limit, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var today = LaborDay.Today(time);
        var (f, t, periodError) = Period(from, to, today);
        if (periodError is not null)
        {
            return periodError;
        }

        var (root, refused) = await StatisticsApi.RootAsync(user, grids, gridId, ct, LaborRoles.Staff);
        if (refused is not null)
        {
            return refused;
        }

        if (limit is < 1 or > KeysetPage.MaxLimit)
        {
            return GridProblems.Invalid("limit", $"must be between 1 and {KeysetPage.MaxLimit}");
        }

        var employers = await EmployersApi.Scoped(db.Employers.AsNoTracking(), user).UnderGrid(root!.Id, e => e.GridPath).ToListAsync(ct);
        var ids = employers.Select(e => e.Id).ToArray();
        var visits = new[] { ComplianceKind.Inspection, ComplianceKind.Violation };
        var done = await db.ComplianceRecords.AsNoTracking()
            .Where(r => ids.Contains(r.EmployerId) && visits.Contains(r.Kind) && r.On >= f && r.On <= t)
            .GroupBy(r => r.EmployerId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var lastBefore = await db.ComplianceRecords.AsNoTracking()
            .Where(r => ids.Contains(r.EmployerId) && visits.Contains(r.Kind) && r.On < f)
            .GroupBy(r => r.EmployerId).Select(g => new { g.Key, Last = g.Max(r => r.On) }).ToDictionaryAsync(x => x.Key, x => x.Last, ct);
        var lines = employers.Select(e => (e, line: plan.Line(e, lastBefore.TryGetValue(e.Id, out var l) ? l : null, done.GetValueOrDefault(e.Id), f, t, today))).ToList();

        // One row per grid a level below the grid the plan covers (the employer's own grid when it is that grid).
        var depth = root.Path.Count;
        var byGrid = new List<object>();
        foreach (var g in lines.GroupBy(x => x.e.GridPath.Length > depth ? x.e.GridPath[depth] : x.e.GridId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            byGrid.Add(new
            {
                gridId = g.Key,
                name = (await grids.FindAsync(g.Key, ct))?.Name,
                employers = g.Count(),
                overdue = g.Count(x => x.line.Overdue),
                required = g.Sum(x => x.line.Required),
                done = g.Sum(x => Math.Min(x.line.Done, x.line.Required)),
                inspections = g.Sum(x => x.line.Done),
            });
        }

        var listed = lines.Select(x => x.line).Where(l => overdueOnly != true || l.Overdue)
            .OrderByDescending(l => l.Overdue).ThenBy(l => l.NextInspectionDue).ThenBy(l => l.EmployerId).Take(limit ?? KeysetPage.MaxLimit).ToList();
        return TypedResults.Ok(new
        {
            gridId = root.Id,
            from = f,
            to = t,
            today,
            employers = lines.Count,
            overdue = lines.Count(x => x.line.Overdue),
            required = lines.Sum(x => x.line.Required),
            done = lines.Sum(x => Math.Min(x.line.Done, x.line.Required)),
            grids = byGrid,
            lines = listed,
        });
    }

    /// <summary>A period of days in China time: from the 1st of this month when no start is given, a month long when no end is.</summary>
    internal static (DateOnly From, DateOnly To, IResult? Problem) Period(DateOnly? from, DateOnly? to, DateOnly today)
    {
        var f = from ?? new DateOnly(today.Year, today.Month, 1);
        var t = to ?? f.AddMonths(1).AddDays(-1);
        if (t < f)
        {
            return (f, t, GridProblems.Invalid("to", "must be on or after 'from'"));
        }

        return t.DayNumber - f.DayNumber > 366 ? (f, t, GridProblems.Invalid("to", "the period is at most a year")) : (f, t, null);
    }
}
