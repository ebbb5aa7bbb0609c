using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.Casework.Application;

/// <summary>
/// 吹哨 / 报到: a case's holder summons a department the organization knows to an open case, by a report-by time; the
/// department reports for duty (late or not). Missed report-by times are the deadline scheduler's.
/// </summary>
public sealed class SummonsHandler(
    CaseworkDatabase db,
    CaseworkOptions options,
    CaseAccess access,
    IDepartmentDirectory departments,
    CaseClock clock)
{
    public async Task<(CaseOutcome Outcome, SummonsView? Summons)> SummonAsync(Guid id, CaseActionRequest b, Actor actor, CancellationToken ct)
    {
        if (access.Refuse(actor, CaseRoles.Summon) is { } forbidden)
        {
            return (forbidden, null);
        }

        var now = clock.Now();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(b.DepartmentId)) errors["departmentId"] = ["is required"];
        else if (b.DepartmentId.Length > CaseLimits.MaxShort * 2) errors["departmentId"] = ["is too long"];
        if (b.ReportBy is { } rb && rb <= now) errors["reportBy"] = ["must be in the future"];
        if ((b.Reason?.Length ?? 0) > options.MaxTextLength) errors["reason"] = [$"must be at most {options.MaxTextLength} characters"];
        if (errors.Count > 0)
        {
            return (CaseOutcome.Invalid(errors), null);
        }

        // Only a department the organization knows can be summoned: an unknown one would never report for duty.
        if (await departments.FindAsync(b.DepartmentId!.Trim(), ct) is not { } department)
        {
            return (CaseOutcome.Invalid("departmentId", $"no department '{b.DepartmentId.Trim()}' in the organization (give its id or its code, e.g. DEPT-ENV)"), null);
        }

        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, forUpdate: true, ct);
        if (c is null)
        {
            return (CaseOutcome.NotFound(), null);
        }

        if (access.RefuseOn(actor, CaseRoles.Summon, c.GridPath) is { } outside)
        {
            return (outside, null);
        }

        if (!CaseLifecycle.IsOpen(c.State))
        {
            return (CaseOutcome.Conflict($"A case in state '{CaseNames.Of(c.State)}' cannot 'summon': it is finished.",
                new { currentState = CaseNames.Of(c.State), action = CaseRoles.Summon }), null);
        }

        var s = new SummonsView(Guid.NewGuid(), c.Id, department.Id, b.ReportBy ?? now + DeadlinePolicy.DefaultReportForDuty, null, null);
        await SummonsRepository.InsertAsync(tx, s, actor.Subject, b.Reason ?? "", now, ct);
        tx.Publish(c.Stamp(new DepartmentSummoned { SummonsId = s.Id, DepartmentId = s.DepartmentId, SummonedBy = actor.Subject, ReportBy = s.ReportBy, Reason = b.Reason ?? "" }, now));
        tx.Audit(c.Id, actor.Subject, "summon", actor.Origin, null, s);
        await tx.CommitAsync(ct);
        return (CaseOutcome.Ok(c, 201), s);
    }

    public async Task<(CaseOutcome Outcome, SummonsView? Summons)> ReportForDutyAsync(Guid id, CaseActionRequest b, Actor actor, CancellationToken ct)
    {
        if (access.Refuse(actor, CaseRoles.ReportForDuty) is { } forbidden)
        {
            return (forbidden, null);
        }

        if (b.SummonsId is null)
        {
            return (CaseOutcome.Invalid("summonsId", "is required"), null);
        }

        var now = clock.Now();
        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, forUpdate: true, ct);
        if (c is null)
        {
            return (CaseOutcome.NotFound(), null);
        }

        if (access.RefuseOn(actor, CaseRoles.ReportForDuty, c.GridPath) is { } outside)
        {
            return (outside, null);
        }

        var s = await SummonsRepository.GetForUpdateAsync(tx, b.SummonsId.Value, id, ct);
        if (s is null)
        {
            return (CaseOutcome.NotFound("summons of this case"), null);
        }

        if (s.ReportedAt is not null)
        {
            return (CaseOutcome.Conflict($"The department already reported for duty at {s.ReportedAt:O}.", new { currentState = "reported", action = CaseRoles.ReportForDuty }), null);
        }

        s = s with { ReportedAt = now, Late = now > s.ReportBy };
        await SummonsRepository.MarkReportedAsync(tx, s.Id, now, s.Late.Value, ct);
        tx.Publish(c.Stamp(new DepartmentReported { SummonsId = s.Id, DepartmentId = s.DepartmentId, ReportBy = s.ReportBy, Late = s.Late.Value }, now));
        tx.Audit(c.Id, actor.Subject, "report-for-duty", actor.Origin, null, s);
        await tx.CommitAsync(ct);
        return (CaseOutcome.Ok(c), s);
    }
}
