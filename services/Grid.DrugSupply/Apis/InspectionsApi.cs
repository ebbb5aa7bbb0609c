using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 规范药房检查: the standard-pharmacy checklist (四有两个统一) as the inspection form of a supply point. A failed item
/// opens a rectification case with a deadline (限期整改); a re-inspection passing all six closes it (复查).
/// </summary>
public static class InspectionsApi
{
    public sealed record InspectionRequest(InspectionKind? Kind, DateOnly? On, Dictionary<string, bool?>? Items, string? Notes);

    public sealed record ReInspectionRequest(Dictionary<string, bool?>? Items, string? Notes);

    public sealed record InspectionView(
        Guid Id, Guid PointId, InspectionKind Kind, DateOnly On, IReadOnlyDictionary<string, bool> Items, IReadOnlyList<string> Failed,
        bool Passed, string? Notes, Guid? CaseId, bool ReInspection, string InspectedBy)
    {
        public static InspectionView From(Inspection i) =>
            new(i.Id, i.PointId, i.Kind, i.On, i.Items(), i.Failed, i.Passed, i.Notes, i.CaseId, i.ReInspection, i.InspectedBy);
    }

    public static RouteGroupBuilder MapInspectionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/points/{id:guid}/inspections", Inspect)
            .WithSummary("日常/突击/GSP跟踪检查 with the six-item checklist; a failed item opens a rectification case with a deadline.");
        api.MapGet("/points/{id:guid}/inspections", History).WithSummary("The point's inspections, newest first.");
        api.MapPost("/rectifications/{caseId:guid}/reinspect", ReInspect)
            .WithSummary("复查: all six items pass → the rectification case is handled, verified and closed; else it stays open.");
        return api;
    }

    private static async Task<IResult> Inspect(
        Guid id, InspectionRequest? req, HttpContext h, DrugsDbContext db, Rectifications rectifications, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, DrugRoles.Keepers) is { } denied)
        {
            return denied;
        }

        var point = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (point is null)
        {
            return GridProblems.NotFound("Supply point", id);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Keepers, point.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        var today = DrugsDay.Today(time);
        var errors = Checklist.Check(req?.Items);
        if (req?.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            errors["kind"] = [$"is required: one of {string.Join(", ", Enum.GetNames<InspectionKind>())}"];
        }

        if (req?.On > today)
        {
            errors["on"] = ["must not be in the future"];
        }

        if (req?.Notes is { Length: > 1000 })
        {
            errors["notes"] = ["must be at most 1000 characters"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var inspection = Rectifications.Record(point, req!.Kind!.Value, req.On ?? today, req.Items!, req.Notes, user.Subject(), time.GetUtcNow());
        if (inspection.Passed)
        {
            db.Inspections.Add(inspection);
            await Standing.ApplyAsync(db, inspection, ct);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/drugs/v1/points/{id}/inspections/{inspection.Id}", new { inspection = InspectionView.From(inspection), rectification = (object?)null });
        }

        // 限期整改: the inspection and the case commit together; the authority's order (accept, dispatch with the deadline) follows at once.
        var (opened, view) = await rectifications.OpenAsync(point, inspection, CaseworkBridge.ActorOf(h), h.Request.Headers["Idempotency-Key"].FirstOrDefault(), ct);
        if (!CaseworkBridge.Ok(opened))
        {
            return CaseworkBridge.Problem(opened);
        }

        return TypedResults.Created($"/api/drugs/v1/points/{id}/inspections/{inspection.Id}", new
        {
            inspection = InspectionView.From(inspection),
            rectification = new { caseId = opened.Case!.Id, number = view?.Number, state = view?.State, deadline = view?.StepDeadline },
        });
    }

    private static async Task<IResult> ReInspect(
        Guid caseId, ReInspectionRequest? req, HttpContext h, DrugsDbContext db, CaseService cases, Rectifications rectifications, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, DrugRoles.Authorities) is { } denied)
        {
            return denied;
        }

        var original = await db.Inspections.AsNoTracking().FirstOrDefaultAsync(i => i.CaseId == caseId && !i.ReInspection, ct);
        var point = original is null ? null
            : await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == original.PointId, ct);
        if (point is null)
        {
            return GridProblems.NotFound("Rectification", caseId);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Authorities, point.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        var errors = Checklist.Check(req?.Items);
        if (req?.Notes is { Length: > 1000 })
        {
            errors["notes"] = ["must be at most 1000 characters"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var system = Actor.System("drugs:re-inspection");
        var current = (await cases.GetAsync(caseId, system, ct)).Case;
        if (current is null || current.State is CaseState.Closed or CaseState.Rejected)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not open",
                detail: $"The rectification case is {current?.State.ToString().ToLowerInvariant() ?? "gone"}; there is nothing to re-inspect.");
        }

        var inspection = Rectifications.Record(point, original!.Kind, DrugsDay.Today(time), req!.Items!, req.Notes, user.Subject(), time.GetUtcNow());
        inspection.ReInspection = true;
        if (!inspection.Passed)
        {
            // 复查不合格: recorded; the case keeps its deadline, and missing it is a breach.
            inspection.CaseId = caseId;
            db.Inspections.Add(inspection);
            await Standing.ApplyAsync(db, inspection, ct);
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(new { inspection = InspectionView.From(inspection), state = CaseNames.Of(current.State) });
        }

        var result = $"复查合格 ({inspection.On:yyyy-MM-dd}, {user.Subject()}): 四有两个统一 六项均符合";
        var outcome = await rectifications.CloseAsync(caseId, result, inspection, ct);
        return outcome is { } failed
            ? CaseworkBridge.Problem(failed)
            : TypedResults.Ok(new { inspection = InspectionView.From(inspection), state = "closed" });
    }

    private static async Task<IResult> History(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(p => p.Id == id, ct))
        {
            return GridProblems.NotFound("Supply point", id);
        }

        var rows = await db.Inspections.AsNoTracking().Where(i => i.PointId == id)
            .OrderByDescending(i => i.On).ThenByDescending(i => i.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(InspectionView.From));
    }
}
