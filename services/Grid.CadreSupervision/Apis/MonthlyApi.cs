using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 信息月报 and 网格监督小组: the township commissions' monthly reports to the county (before the 5th), the breaches of
/// months not filed, each grid's supervision group and the report of grids without one or outside the limits.
/// </summary>
public static class MonthlyApi
{
    public sealed record MonthlyRequest(string? GridId, string? Month, string? Summary);

    public sealed record GroupRequest(string? Leader, string? Deputy, string[]? Supervisors);

    public static RouteGroupBuilder MapMonthlyApi(this RouteGroupBuilder api)
    {
        api.MapPost("/monthly-reports", File).WithSummary("月报: a township commission files a month's report (due before the 5th of the next month).");
        api.MapGet("/monthly-reports", List).WithSummary("Monthly reports and missed months in the caller's grids.");
        api.MapPut("/grids/{gridId}/group", SetGroup).WithSummary("监督小组: the grid's group (leader, deputy, 1–5 supervisors).");
        api.MapGet("/groups/report", GroupsReport).WithSummary("Grids without a supervision group or outside the supervisor limits.");
        return api;
    }

    private static async Task<IResult> File(
        MonthlyRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, CadreOptions options, TimeProvider time, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var summary = e.Text("summary", req?.Summary, 4000);
        if (!MonthlyReporting.IsMonth(req?.Month))
        {
            e.Add("month", "is required, yyyy-MM");
        }
        else if (string.CompareOrdinal(req!.Month, MonthlyReporting.MonthOf(time.GetUtcNow())) > 0)
        {
            e.Add("month", "must not be in the future");
        }

        GridNode? grid = null;
        if (string.IsNullOrWhiteSpace(req?.GridId) || (grid = await grids.FindAsync(req.GridId.Trim(), ct)) is null)
        {
            e.Add("gridId", "is required: a township grid of the cadre hierarchy");
        }
        else if (grid.Path.Count != options.Monthly.GridDepth)
        {
            e.Add("gridId", $"grid '{grid.Id}' does not file monthly reports (only grids at depth {options.Monthly.GridDepth})");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (CadreAccess.Deny(user, CadreRoles.FileOwners, grid!.Path) is { } outside)
        {
            return outside;
        }

        var now = time.GetUtcNow();
        var report = new MonthlyReport
        {
            Id = Guid.CreateVersion7(),
            GridId = grid.Id,
            GridPath = [.. grid.Path],
            Month = req!.Month!,
            Summary = summary,
            FiledBy = user.Subject(),
            FiledAt = now,
            Late = now >= options.Monthly.DueBy(req.Month!),
        };
        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        if (await db.MonthlyReports.AnyAsync(r => r.GridId == grid.Id && r.Month == report.Month, ct))
        {
            return GridProblems.Conflict("Already filed", $"The report of {report.Month} for {grid.Id} is filed.");
        }

        db.MonthlyReports.Add(report);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/cadre/v1/monthly-reports/{report.Id}", report);
    }

    private static async Task<IResult> List(ClaimsPrincipal user, CadreDbContext db, string? month, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var reports = await CadreAccess.Scoped(db.MonthlyReports.AsNoTracking(), user, r => r.GridPath, CadreRoles.FileOwners)
            .Where(r => month == null || r.Month == month)
            .OrderByDescending(r => r.Month).ThenBy(r => r.GridId).Take(500).ToListAsync(ct);
        var missed = await CadreAccess.Scoped(db.MonthlyBreaches.AsNoTracking(), user, r => r.GridPath, CadreRoles.FileOwners)
            .Where(r => month == null || r.Month == month)
            .OrderByDescending(r => r.Month).ThenBy(r => r.GridId).Take(500).ToListAsync(ct);
        return TypedResults.Ok(new { reports, missed });
    }

    private static async Task<IResult> SetGroup(
        string gridId, GroupRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, TimeProvider time, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var leader = e.Text("leader", req?.Leader, 50);
        var deputy = e.Text("deputy", req?.Deputy, 50);
        if (req?.Supervisors is null || req.Supervisors.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > 50))
        {
            e.Add("supervisors", "is required, a list of names (each at most 50 characters)");
        }

        var grid = await grids.FindAsync(gridId, ct);
        if (grid is null)
        {
            e.Add("gridId", $"grid '{gridId}' is unknown");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (CadreAccess.Deny(user, CadreRoles.FileOwners, grid!.Path) is { } outside)
        {
            return outside;
        }

        // Who watches a grid is itself on the audit chain, under the group's own subject (FileAudit.GroupSubject).
        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        var group = await db.Groups.FirstOrDefaultAsync(g => g.GridId == grid.Id, ct) ?? db.Groups.Add(new SupervisionGroup { GridId = grid.Id }).Entity;
        group.GridPath = [.. grid.Path];
        group.Leader = leader;
        group.Deputy = deputy;
        group.Supervisors = [.. req!.Supervisors!.Select(s => s.Trim())];
        group.UpdatedBy = user.Subject();
        group.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        var subject = FileAudit.GroupSubject(group.GridId);
        tx.Audit(subject, group.UpdatedBy, "group-set", "cadre", null, FileAudit.Of(group));
        await tx.CommitAsync(ct);
        return TypedResults.Ok(new { group.GridId, group.GridPath, group.Leader, group.Deputy, group.Supervisors, group.UpdatedBy, group.UpdatedAt, auditSubject = subject });
    }

    private static async Task<IResult> GroupsReport(ClaimsPrincipal user, CadreDbContext db, MonthlyDeadlines towns, CadreOptions options, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var grids = (await towns.ReportingGridsAsync(options.Groups.GridDepth, ct)).Where(g => CadreAccess.Covers(user, CadreRoles.FileOwners, g.Path)).ToList();
        var ids = grids.Select(g => g.Id).ToList();
        var groups = await db.Groups.AsNoTracking().Where(g => ids.Contains(g.GridId)).ToDictionaryAsync(g => g.GridId, ct);
        var problems = grids.Select(g => new { gridId = g.Id, name = g.Name, problem = options.Groups.Problem(groups.GetValueOrDefault(g.Id)) })
            .Where(x => x.problem is not null).ToList();
        return TypedResults.Ok(new { checkedGrids = grids.Count, min = options.Groups.MinSupervisors, max = options.Groups.MaxSupervisors, problems });
    }
}
