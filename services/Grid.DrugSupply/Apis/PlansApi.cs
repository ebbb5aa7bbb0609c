using System.Security.Claims;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 日常/突击检查计划: a daily-inspection interval per supply point (else its kind's default), and the compliance view —
/// required in a period against done, per township and in total, with the points overdue.
/// </summary>
public static class PlansApi
{
    public sealed record PlanRequest(int? EveryDays);

    public static RouteGroupBuilder MapPlansApi(this RouteGroupBuilder api)
    {
        api.MapPut("/points/{id:guid}/plan", Set).WithSummary("检查计划: a daily inspection every N days at this point (1–366).");
        api.MapDelete("/points/{id:guid}/plan", Clear).WithSummary("Back to the default interval of the point's kind.");
        api.MapGet("/points/{id:guid}/plan", Get).WithSummary("The point's plan, its last daily inspection and when the next is due.");
        api.MapGet("/inspections/compliance", Compliance)
            .WithSummary("Required vs done (daily inspections against the plans) per township and in total over [from, to]; surprise checks beside; overdue points.");
        return api;
    }

    private static async Task<IResult> Set(Guid id, PlanRequest? req, ClaimsPrincipal user, DrugsDbContext db, DrugFigures figures, TimeProvider time, CancellationToken ct)
    {
        if (await PointAsync(id, user, db, DrugRoles.Authorities, ct) is (_, { } refused))
        {
            return refused;
        }

        if (req?.EveryDays is not (>= 1 and <= 366))
        {
            return GridProblems.Invalid("everyDays", "is required: 1 to 366 days");
        }

        var plan = await db.Plans.FirstOrDefaultAsync(p => p.PointId == id, ct);
        if (plan is null)
        {
            db.Plans.Add(plan = new InspectionPlan { PointId = id });
        }

        plan.EveryDays = req.EveryDays.Value;
        plan.SetBy = user.Subject();
        plan.SetAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return await Get(id, user, db, figures, time, ct);
    }

    private static async Task<IResult> Clear(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (await PointAsync(id, user, db, DrugRoles.Authorities, ct) is (_, { } refused))
        {
            return refused;
        }

        await db.Plans.Where(p => p.PointId == id).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, DrugsDbContext db, DrugFigures figures, TimeProvider time, CancellationToken ct)
    {
        var (point, refusal) = await PointAsync(id, user, db, DrugRoles.Staff, ct);
        if (point is null)
        {
            return refusal!;
        }

        var today = DrugsDay.Today(time);
        var own = await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.PointId == id, ct);
        var row = (await figures.ComplianceAsync([point], today, today, today, ct))[0];
        return TypedResults.Ok(new
        {
            pointId = id,
            everyDays = row.EveryDays,
            source = own is null ? "default" : "point",
            setBy = own?.SetBy,
            setAt = own?.SetAt,
            lastDailyOn = row.LastDailyOn,
            dueOn = row.DueOn,
            overdue = row.Overdue,
        });
    }

    private static async Task<IResult> Compliance(
        string? gridId, DateOnly? from, DateOnly? to, ClaimsPrincipal user, DrugsDbContext db, SupervisionNetwork network, GridPaths grids,
        DrugFigures figures, TimeProvider time, CancellationToken ct)
    {
        var today = DrugsDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        var (f, t) = Period(errors, from, to, today);
        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (await CoverageApi.LoadAsync(gridId, user, db, network, grids, ct) is not { } scope)
        {
            return await CoverageApi.Refusal(gridId, user, grids, ct);
        }

        var rows = await figures.ComplianceAsync(scope.Points, f, t, today, ct);
        return TypedResults.Ok(new
        {
            from = f,
            to = t,
            total = ComplianceTotals.Of(gridId ?? "all", gridId ?? "全部", rows),
            townships = scope.Townships.Select(tw => ComplianceTotals.Of(tw.Id, tw.Name, [.. rows.Where(r => r.TownshipId == tw.Id)])),
            overdue = rows.Where(r => r.Overdue).OrderBy(r => r.DueOn).ThenBy(r => r.Name, StringComparer.Ordinal),
        });
    }

    /// <summary>The point in the caller's scope with a post of <paramref name="roles"/> over it, or why not.</summary>
    internal static async Task<(SupplyPoint? Point, IResult? Refusal)> PointAsync(Guid id, ClaimsPrincipal user, DrugsDbContext db, string[] roles, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, roles) is { } denied)
        {
            return (null, denied);
        }

        var point = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (point is null)
        {
            return (null, GridProblems.NotFound("Supply point", id));
        }

        return DrugsAccess.Deny(user, roles, point.GridPath) is { } outOfScope ? (null, outOfScope) : (point, null);
    }
}
