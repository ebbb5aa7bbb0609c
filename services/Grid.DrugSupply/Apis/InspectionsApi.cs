using System.Security.Claims;
using Grid.Casework.Apis;
using Grid.Casework.Domain;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;

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
        Guid id, InspectionRequest? req, HttpContext h, DrugsDbContext db, CaseService cases, DrugOptions options, TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, DrugRoles.Keepers) is { } denied)
        {
            return denied;
        }

        var point = await SupplyPointsApi.Scoped(db.SupplyPoints.AsNoTracking(), user).FirstOrDefaultAsync(p => p.Id == id, ct);
        if (point is null)
        {
            return DrugsAccess.NotFound("Supply point", id);
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
            return DrugsAccess.Invalid(errors);
        }

        var inspection = Record(point, req!.Kind!.Value, req.On ?? today, req.Items!, req.Notes, user, time);
        if (inspection.Passed)
        {
            db.Inspections.Add(inspection);
            await Standing.ApplyAsync(db, inspection, ct);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/drugs/v1/points/{id}/inspections/{inspection.Id}", new { inspection = InspectionView.From(inspection), rectification = (object?)null });
        }

        // 限期整改: the inspection and the case commit together; the authority's order (accept, dispatch with the deadline) follows at once.
        var report = new ReportCaseRequest
        {
            Category = DrugCaseCategories.Rectification,
            Severity = DeadlinePolicy.General,
            Title = $"{point.Name} 规范药房整改: {string.Join("、", inspection.Failed.Select(Checklist.Name))}",
            Description = $"{inspection.On:yyyy-MM-dd} {Kinds(inspection.Kind)}: {string.Join("、", inspection.Failed.Select(Checklist.Name))} 不符合 (四有两个统一)。{req.Notes}".Trim(),
            Source = "inspection",
            GridId = point.GridId,
        };
        var opened = await CaseStep.WithAsync(new DrugsCaseContext { Inspection = inspection },
            () => cases.ReportAsync(report, CaseworkBridge.ActorOf(h), h.Request.Headers["Idempotency-Key"].FirstOrDefault(), ct));
        if (!CaseworkBridge.Ok(opened))
        {
            return CaseworkBridge.Problem(opened);
        }

        var caseId = opened.Case!.Id;
        var system = Actor.System("drugs:rectification");
        var deadline = time.GetUtcNow().AddDays(options.RectificationDays);
        var ordered = await cases.ActAsync(caseId, CaseAction.Accept, new CaseActionRequest(), system, ct);
        if (CaseworkBridge.Ok(ordered))
        {
            ordered = await cases.ActAsync(caseId, CaseAction.Dispatch, new CaseActionRequest { Assignee = point.Name, HandleBy = deadline }, system, ct);
        }

        var view = (await cases.GetAsync(caseId, system, ct)).Case is { } c ? CaseView.From(c) : null;
        return TypedResults.Created($"/api/drugs/v1/points/{id}/inspections/{inspection.Id}", new
        {
            inspection = InspectionView.From(inspection),
            rectification = new { caseId, number = view?.Number, state = view?.State, deadline = view?.StepDeadline },
        });
    }

    private static async Task<IResult> ReInspect(
        Guid caseId, ReInspectionRequest? req, HttpContext h, DrugsDbContext db, CaseService cases, TimeProvider time, CancellationToken ct)
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
            return DrugsAccess.NotFound("Rectification", caseId);
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
            return DrugsAccess.Invalid(errors);
        }

        var system = Actor.System("drugs:re-inspection");
        var current = (await cases.GetAsync(caseId, system, ct)).Case;
        if (current is null || current.State is CaseState.Closed or CaseState.Rejected)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not open",
                detail: $"The rectification case is {current?.State.ToString().ToLowerInvariant() ?? "gone"}; there is nothing to re-inspect.");
        }

        var inspection = Record(point, original!.Kind, DrugsDay.Today(time), req!.Items!, req.Notes, user, time);
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

        var result = $"复查合格 ({inspection.On:yyyy-MM-dd}, {DrugsAccess.Actor(user)}): 四有两个统一 六项均符合";
        var outcome = await CloseAsync(cases, caseId, result, inspection, system, ct);
        return outcome is { } failed
            ? CaseworkBridge.Problem(failed)
            : TypedResults.Ok(new { inspection = InspectionView.From(inspection), state = "closed" });
    }

    /// <summary>
    /// Walks the rectification to closed by the system on the re-inspection's authority, from whichever open state it is
    /// in (an overdue case may have been escalated); the passed re-inspection is recorded with the handle step.
    /// </summary>
    private static async Task<CaseOutcome?> CloseAsync(CaseService cases, Guid caseId, string result, Inspection inspection, Actor system, CancellationToken ct)
    {
        for (var step = 0; step < 8; step++)
        {
            var c = (await cases.GetAsync(caseId, system, ct)).Case!;
            (CaseAction Action, CaseActionRequest Body)? next = c.State switch
            {
                CaseState.Reported or CaseState.Escalated => (CaseAction.Accept, new()),
                CaseState.Accepted => (CaseAction.Dispatch, new() { Assignee = c.Assignee ?? "supply point" }),
                CaseState.Dispatched => (CaseAction.Start, new()),
                CaseState.Handling or CaseState.Reopened => (CaseAction.Handle, new() { Result = result }),
                CaseState.Handled => (CaseAction.VerifyPass, new()),
                CaseState.Verified => (CaseAction.Close, new()),
                _ => null,
            };
            if (next is not { } n)
            {
                return c.State == CaseState.Closed ? null : CaseOutcome.Conflict($"The rectification case is {CaseNames.Of(c.State)}.");
            }

            var outcome = n.Action == CaseAction.Handle
                ? await CaseStep.WithAsync(new DrugsCaseContext { Inspection = inspection }, () => cases.ActAsync(caseId, n.Action, n.Body, system, ct))
                : await cases.ActAsync(caseId, n.Action, n.Body, system, ct);
            if (!CaseworkBridge.Ok(outcome))
            {
                return outcome;
            }
        }

        return CaseOutcome.Conflict("The rectification case did not reach closed.");
    }

    private static async Task<IResult> History(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(p => p.Id == id, ct))
        {
            return DrugsAccess.NotFound("Supply point", id);
        }

        var rows = await db.Inspections.AsNoTracking().Where(i => i.PointId == id)
            .OrderByDescending(i => i.On).ThenByDescending(i => i.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(InspectionView.From));
    }

    private static Inspection Record(
        SupplyPoint point, InspectionKind kind, DateOnly on, Dictionary<string, bool?> items, string? notes, ClaimsPrincipal user, TimeProvider time)
    {
        var failed = Checklist.Failed(items);
        var now = time.GetUtcNow();
        return new Inspection
        {
            Id = Guid.CreateVersion7(now),
            PointId = point.Id,
            Kind = kind,
            On = on,
            Failed = failed,
            Passed = failed.Count == 0,
            Notes = notes?.Trim(),
            InspectedBy = DrugsAccess.Actor(user),
            GridPath = point.GridPath,
            RecordedAt = now,
        };
    }

    private static string Kinds(InspectionKind kind) => kind switch
    {
        InspectionKind.Daily => "日常检查",
        InspectionKind.Surprise => "突击检查",
        _ => "GSP跟踪检查",
    };
}
