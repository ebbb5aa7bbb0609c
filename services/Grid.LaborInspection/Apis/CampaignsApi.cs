using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>专项检查: campaigns over a grid's employers, one task each, and their progress per grid.</summary>
public static class CampaignsApi
{
    /// <summary>The most tasks one campaign generates (a county's employers fit many times over).</summary>
    public const int MaxTasks = 20_000;

    public sealed record CampaignTaskView(Guid Id, Guid EmployerId, string EmployerName, string GridId, Guid? InspectionId, DateOnly? DoneOn);

    public static RouteGroupBuilder MapCampaignsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/campaigns", Create).WithSummary("Start a campaign (专项检查) over a grid's employers for a period: one task per employer in scope.");
        api.MapGet("/campaigns", List).WithSummary("Campaigns with tasks in the caller's scope.");
        api.MapGet("/campaigns/{id:guid}", Progress).WithSummary("A campaign and its progress: tasks done / total per grid.");
        api.MapGet("/campaigns/{id:guid}/tasks", Tasks).WithSummary("A campaign's tasks in scope (status open or done), paged by cursor.");
        return api;
    }

    private static async Task<IResult> Create(CampaignDraft? req, ClaimsPrincipal user, LaborDbContext db, IGridDirectory grids, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        if (req is null)
        {
            return GridProblems.Invalid("body", "is required");
        }

        var errors = req.Check();
        GridNode? grid = null;
        if (!errors.ContainsKey("gridId") && (grid = await grids.FindAsync(req.GridId!.Trim(), ct)) is null)
        {
            errors["gridId"] = [$"grid '{req.GridId}' is unknown"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (LaborAccess.Deny(user, LaborRoles.Managers, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var q = db.Employers.AsNoTracking().UnderGrid(grid.Id, e => e.GridPath);
        if (req.Kinds is { Count: > 0 } kinds)
        {
            q = q.Where(e => kinds.Contains(e.Kind));
        }

        if (req.MinHeadcount is { } min)
        {
            q = q.Where(e => e.Headcount >= min);
        }

        if (req.MinRisk is { } risk)
        {
            // Risk is stored by name: the levels at or above the one asked for, listed.
            var levels = Enum.GetValues<RiskLevel>().Where(l => l >= risk).ToArray();
            q = q.Where(e => levels.Contains(e.Risk));
        }

        var employers = await q.OrderBy(e => e.Id).Select(e => new { e.Id, e.GridId, e.GridPath }).Take(MaxTasks + 1).ToListAsync(ct);
        if (employers.Count == 0)
        {
            return GridProblems.Invalid("gridId", "no employer on file under this grid matches the campaign's filter");
        }

        if (employers.Count > MaxTasks)
        {
            return GridProblems.Invalid("gridId", $"the campaign would make more than {MaxTasks} tasks; narrow the grid or the filter");
        }

        var now = time.GetUtcNow();
        var campaign = new Campaign
        {
            Id = Guid.CreateVersion7(now),
            Name = req.Name!.Trim(),
            GridId = grid.Id,
            GridPath = [.. grid.Path],
            From = req.From!.Value,
            To = req.To!.Value,
            Kinds = [.. req.Kinds ?? []],
            MinHeadcount = req.MinHeadcount,
            MinRisk = req.MinRisk,
            Tasks = employers.Count,
            CreatedBy = user.Subject(),
            CreatedAt = now,
        };
        db.Campaigns.Add(campaign);
        db.CampaignTasks.AddRange(employers.Select(e => new CampaignTask
        {
            Id = Guid.CreateVersion7(now),
            CampaignId = campaign.Id,
            EmployerId = e.Id,
            GridId = e.GridId,
            GridPath = e.GridPath,
        }));
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/labor/v1/campaigns/{campaign.Id}", campaign);
    }

    private static IQueryable<CampaignTask> ScopedTasks(LaborDbContext db, ClaimsPrincipal user) => LaborAccess.Scoped(db.CampaignTasks.AsNoTracking(), user, t => t.GridPath);

    private static async Task<IResult> List(ClaimsPrincipal user, LaborDbContext db, TimeProvider time, bool? current, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var tasks = ScopedTasks(db, user);
        var q = db.Campaigns.AsNoTracking().Where(c => tasks.Any(t => t.CampaignId == c.Id));
        if (current == true)
        {
            var today = LaborDay.Today(time);
            q = q.Where(c => c.From <= today && c.To >= today);
        }

        return TypedResults.Ok(await q.OrderByDescending(c => c.From).ThenByDescending(c => c.Id).Take(500).ToListAsync(ct));
    }

    /// <summary>Tasks done / total in the caller's scope, per grid one level below the campaign's grid (or the task's own grid).</summary>
    private static async Task<IResult> Progress(Guid id, ClaimsPrincipal user, LaborDbContext db, IGridDirectory grids, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        var tasks = campaign is null ? [] : await ScopedTasks(db, user).Where(t => t.CampaignId == id).Select(t => new { t.GridId, t.GridPath, t.DoneOn }).ToListAsync(ct);
        if (campaign is null || tasks.Count == 0)
        {
            return GridProblems.NotFound("Campaign", id);
        }

        var depth = campaign.GridPath.Length;
        var rows = new List<object>();
        foreach (var g in tasks.GroupBy(t => t.GridPath.Length > depth ? t.GridPath[depth] : t.GridId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var done = g.Count(t => t.DoneOn is not null);
            rows.Add(new { gridId = g.Key, name = (await grids.FindAsync(g.Key, ct))?.Name, done, total = g.Count(), percent = Math.Round(100.0 * done / g.Count(), 1) });
        }

        var all = tasks.Count(t => t.DoneOn is not null);
        var today = LaborDay.Today(time);
        return TypedResults.Ok(new
        {
            campaign,
            status = today < campaign.From ? "planned" : today > campaign.To ? "ended" : "running",
            done = all,
            total = tasks.Count,
            percent = Math.Round(100.0 * all / tasks.Count, 1),
            grids = rows,
        });
    }

    private static async Task<IResult> Tasks(HttpContext http, Guid id, LaborDbContext db, string? status, string? gridId, string? cursor, int? limit, CancellationToken ct)
    {
        if (LaborAccess.Deny(http.User, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (status is { Length: > 0 } and not ("open" or "done"))
        {
            return GridProblems.Invalid("status", "must be open or done");
        }

        var q = ScopedTasks(db, http.User).Where(t => t.CampaignId == id).UnderGrid(gridId, t => t.GridPath);
        q = status switch
        {
            "open" => q.Where(t => t.DoneOn == null),
            "done" => q.Where(t => t.DoneOn != null),
            _ => q,
        };
        var page = await q.ReadPageAsync(cursor, limit, t => t.Id, ct);
        var ids = page.Rows.Select(t => t.EmployerId).ToArray();
        var names = await db.Employers.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        return page.OkWithCursor(http, t => new CampaignTaskView(t.Id, t.EmployerId, names.GetValueOrDefault(t.EmployerId, ""), t.GridId, t.InspectionId, t.DoneOn));
    }
}
