using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>建档进度: the roll-out of 一户一档 per grid and phase, against the survey's count (摸底) the township records.</summary>
public static class RolloutApi
{
    public sealed record BaselineRequest(int? Employers, int? EmployersWithTenOrMore);

    public static RouteGroupBuilder MapRolloutApi(this RouteGroupBuilder api)
    {
        api.MapPut("/rollout/baselines/{gridId}", Survey).WithSummary("摸底: the employers a grid's survey found, in all and with at least 10 workers.");
        api.MapGet("/rollout", Progress).WithSummary("建档进度: files against the survey per grid and phase (10+ workers by March, all by December), with the targets.");
        return api;
    }

    private static async Task<IResult> Survey(
        string gridId, BaselineRequest? body, ClaimsPrincipal user, IGridDirectory grids, LaborDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var errors = new Dictionary<string, List<string>>();
        if (body?.Employers is not { } all || all < 0)
        {
            errors["employers"] = ["is required, 0 or more"];
        }

        if (body?.EmployersWithTenOrMore is not { } ten || ten < 0)
        {
            errors["employersWithTenOrMore"] = ["is required, 0 or more"];
        }
        else if (body.Employers is { } total && ten > total)
        {
            errors["employersWithTenOrMore"] = ["cannot exceed employers"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (await grids.FindAsync(gridId, ct) is not { } grid)
        {
            return GridProblems.Invalid("gridId", $"grid '{gridId}' is unknown");
        }

        if (LaborAccess.Deny(user, LaborRoles.Managers, grid.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var row = await db.RolloutBaselines.FindAsync([gridId], ct);
        if (row is null)
        {
            db.RolloutBaselines.Add(row = new RolloutBaseline { GridId = gridId });
        }

        row.GridPath = [.. grid.Path];
        row.Employers = body!.Employers!.Value;
        row.EmployersWithTenOrMore = body.EmployersWithTenOrMore!.Value;
        row.UpdatedBy = user.Subject();
        row.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new { row.GridId, row.Employers, row.EmployersWithTenOrMore, row.UpdatedAt });
    }

    private static async Task<IResult> Progress(
        ClaimsPrincipal user, IGridDirectory grids, LaborDbContext db, LaborOptions options, TimeProvider time, string? gridId, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Managers) is { } denied)
        {
            return denied;
        }

        var (root, refused) = await StatisticsApi.RootAsync(user, grids, gridId, ct);
        if (refused is not null)
        {
            return refused;
        }

        var today = LaborDay.Today(time);
        var employers = await EmployersApi.Scoped(db.Employers.AsNoTracking(), user)
            .Where(e => e.GridPath.Contains(root!.Id)).Select(e => new { e.GridPath, e.Headcount }).ToListAsync(ct);
        var surveys = await db.RolloutBaselines.AsNoTracking().Where(b => b.GridPath.Contains(root!.Id)).ToListAsync(ct);

        object Row(GridNode g)
        {
            // A grid's own survey when it has one, else the sum of the surveys below it (record them at one level).
            var own = surveys.FirstOrDefault(s => s.GridId == g.Id);
            var below = surveys.Where(s => s.GridPath.Contains(g.Id) && s.GridId != g.Id).ToList();
            int? all = own?.Employers ?? (below.Count > 0 ? below.Sum(s => s.Employers) : null);
            int? ten = own?.EmployersWithTenOrMore ?? (below.Count > 0 ? below.Sum(s => s.EmployersWithTenOrMore) : null);
            var headcounts = employers.Where(e => e.GridPath.Contains(g.Id)).Select(e => e.Headcount).ToList();
            return new { gridId = g.Id, name = g.Name, phases = options.Rollout.Phases.Select(p => RolloutProgress.Of(p, headcounts, all, ten, today)) };
        }

        var children = (await grids.SubtreeAsync(root!.Id, ct)).Where(g => g.ParentId == root.Id).ToList();
        return TypedResults.Ok(new { on = today, total = Row(root), rows = children.Select(Row).ToList() });
    }
}
