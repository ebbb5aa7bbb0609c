using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.DrugSupply.Domain;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// 限期整改 of the standard-pharmacy checklist through the case service: a failed inspection opens the case with the
/// inspection in its transaction and the authority's order (accept, dispatch to the point with the deadline) follows;
/// a passing re-inspection walks it to closed.
/// </summary>
public sealed class Rectifications(CaseService cases, DrugOptions options, TimeProvider time)
{
    /// <summary>A checklist inspection of <paramref name="point"/> as answered.</summary>
    public static Inspection Record(
        SupplyPoint point, InspectionKind kind, DateOnly on, IReadOnlyDictionary<string, bool?> items, string? notes, string by, DateTimeOffset now)
    {
        var failed = Checklist.Failed(items);
        return new Inspection
        {
            Id = Guid.CreateVersion7(now),
            PointId = point.Id,
            Kind = kind,
            On = on,
            Failed = failed,
            Passed = failed.Count == 0,
            Notes = notes?.Trim(),
            InspectedBy = by,
            GridPath = point.GridPath,
            RecordedAt = now,
        };
    }

    /// <summary>Opens the rectification case of a failed inspection and orders it with the configured deadline.</summary>
    public async Task<(CaseOutcome Opened, CaseView? View)> OpenAsync(SupplyPoint point, Inspection inspection, Actor actor, string? idempotencyKey, CancellationToken ct)
    {
        var failed = string.Join("、", inspection.Failed.Select(Checklist.Name));
        var report = new ReportCaseRequest
        {
            Category = DrugCaseCategories.Rectification,
            Severity = DeadlinePolicy.General,
            Title = $"{point.Name} 规范药房整改: {failed}",
            Description = $"{inspection.On:yyyy-MM-dd} {KindName(inspection.Kind)}: {failed} 不符合 (四有两个统一)。{inspection.Notes}".Trim(),
            Source = "inspection",
            GridId = point.GridId,
        };
        var opened = await CaseStep.WithAsync(new DrugsCaseContext { Inspection = inspection }, () => cases.ReportAsync(report, actor, idempotencyKey, ct));
        if (opened.Case is not { } c || opened.Status is not (200 or 201))
        {
            return (opened, null);
        }

        var system = Actor.System("drugs:rectification");
        var ordered = await cases.ActAsync(c.Id, CaseAction.Accept, new CaseActionRequest(), system, ct);
        if (ordered.Status == 200)
        {
            await cases.ActAsync(c.Id, CaseAction.Dispatch, new CaseActionRequest { Assignee = point.Name, HandleBy = time.GetUtcNow().AddDays(options.RectificationDays) }, system, ct);
        }

        return (opened, (await cases.GetAsync(c.Id, system, ct)).Case is { } now ? CaseView.From(now) : null);
    }

    /// <summary>
    /// Walks the rectification to closed by the system on the re-inspection's authority, from whichever open state it is
    /// in (an overdue case may have been escalated); the passed re-inspection is recorded with the handle step. Null when closed.
    /// </summary>
    public async Task<CaseOutcome?> CloseAsync(Guid caseId, string result, Inspection inspection, CancellationToken ct)
    {
        var system = Actor.System("drugs:re-inspection");
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
            if (outcome.Status is not (200 or 201))
            {
                return outcome;
            }
        }

        return CaseOutcome.Conflict("The rectification case did not reach closed.");
    }

    internal static string KindName(InspectionKind kind) => kind switch
    {
        InspectionKind.Daily => "日常检查",
        InspectionKind.Surprise => "突击检查",
        _ => "GSP跟踪检查",
    };
}
