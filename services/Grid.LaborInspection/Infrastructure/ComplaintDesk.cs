using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>A complaint as the desk takes it, after its fields were checked.</summary>
public sealed record ComplaintDraft(
    string Channel, string Title, string Description, DateOnly? ViolationEndedOn, int Workers, decimal? AmountClaimed, ReporterIdentity Complainant);

/// <summary>What taking a complaint did: the case, and the summons a major case sent; or Casework's refusal.</summary>
public sealed record ComplaintTaken(CaseOutcome Outcome, Guid? CaseId, IReadOnlyList<object> Summons);

/// <summary>
/// 投诉受理台: takes a complaint onto Casework with the complainant sealed, refuses a time-barred matter, sends a
/// major arrears case to the district with its summons (吹哨), and settles a township dispute by mediation (调处).
/// The endpoints and the demo data both go through it.
/// </summary>
public sealed class ComplaintDesk(LaborDbContext db, CaseService cases, ComplaintClock clock, EmployerRater rater, LaborOptions options, TimeProvider time)
{
    public const string Category = "complaint";

    public async Task<ComplaintTaken> TakeAsync(Employer employer, ComplaintDraft draft, Actor actor, string? idempotencyKey, CancellationToken ct)
    {
        var today = LaborDay.Today(time);
        var complaint = new Complaint
        {
            EmployerId = employer.Id,
            Channel = draft.Channel,
            ReceivedOn = today,
            AcceptBy = clock.AcceptBy(today),
            ViolationEndedOn = draft.ViolationEndedOn,
            Workers = draft.Workers,
            AmountClaimed = draft.AmountClaimed,
        };
        var barred = clock.TimeBarred(draft.ViolationEndedOn, today);
        complaint.MajorReason = barred is null ? options.Arrears.MajorBecause(complaint.Workers, complaint.AmountClaimed) : null;
        var report = new ReportCaseRequest
        {
            Category = Category,
            Severity = complaint.MajorReason is null ? DeadlinePolicy.General : DeadlinePolicy.Major,
            Title = draft.Title,
            Description = draft.Description,
            Source = draft.Channel == "hotline" ? "hotline" : "complaint",
            GridId = employer.GridId,
            Reporter = draft.Complainant,
        };
        var outcome = await CaseStep.WithAsync(new LaborCaseContext { NewComplaint = complaint }, () => cases.ReportAsync(report, actor, idempotencyKey, ct));
        if (outcome.Case is not { } reported || outcome.Status is not (200 or 201))
        {
            return new ComplaintTaken(outcome, null, []);
        }

        // 2 年时效: the complaint is on record and refused at once, with the reason, by the system for the bureau.
        if (barred is not null)
        {
            var refused = await cases.ActAsync(reported.Id, CaseAction.Reject, new CaseActionRequest { Reason = barred }, Actor.System("labor:limitation"), ct);
            if (refused.Case is null)
            {
                return new ComplaintTaken(refused, null, []);
            }

            await db.Complaints.Where(c => c.CaseId == reported.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.RefusedReason, barred), ct);
        }

        var summons = new List<object>();
        if (complaint.MajorReason is { } major)
        {
            // 群体性/重大欠薪: to the district at once, and the police and market regulator are summoned (吹哨).
            // Casework already sends a major report to the top of the chain; only a chain it did not climb is escalated here.
            var system = Actor.System("labor:major-arrears");
            if (reported.HolderGridId != reported.GridPath[0])
            {
                var up = await cases.ActAsync(reported.Id, CaseAction.Escalate, new CaseActionRequest { Reason = major, ToTop = true }, system, ct);
                if (up.Case is null)
                {
                    return new ComplaintTaken(up, null, []);
                }
            }

            foreach (var department in options.Arrears.Summoned)
            {
                var (called, s) = await cases.SummonAsync(reported.Id, new CaseActionRequest { DepartmentId = department, Reason = major }, system, ct);
                summons.Add(s is not null ? s : new { departmentId = department, refused = called.Detail ?? called.Title });
            }
        }

        await RerateAsync(employer.Id, ct);
        return new ComplaintTaken(outcome, reported.Id, summons);
    }

    /// <summary>
    /// 调处: the township office settles an ordinary dispute. Casework's steps up to handling are taken by the mediating
    /// office itself; the mediation record is the handle step's result, written in its transaction.
    /// </summary>
    public async Task<CaseOutcome> MediateAsync(Complaint complaint, Mediation mediation, Actor actor, CancellationToken ct)
    {
        var current = (await cases.GetAsync(complaint.CaseId, actor, ct)).Case;
        if (current?.State == CaseState.Accepted)
        {
            var dispatched = await cases.ActAsync(complaint.CaseId, CaseAction.Dispatch, new CaseActionRequest { Assignee = actor.Subject }, actor, ct);
            if (dispatched.Case is null || dispatched.Status is not (200 or 201))
            {
                return dispatched;
            }
        }

        if (current?.State is CaseState.Accepted or CaseState.Dispatched)
        {
            var started = await cases.ActAsync(complaint.CaseId, CaseAction.Start, new CaseActionRequest(), actor, ct);
            if (started.Case is null || started.Status is not (200 or 201))
            {
                return started;
            }
        }

        var result = $"调处达成协议: 主张 {mediation.AmountClaimed:0.00} 元, 协议 {mediation.AmountAgreed:0.00} 元" +
            (mediation.PaidOn is { } paid ? $", {paid:yyyy-MM-dd} 已支付" : ", 待支付");
        return await CaseStep.WithAsync(new LaborCaseContext { Mediation = mediation },
            () => cases.ActAsync(complaint.CaseId, CaseAction.Handle, new CaseActionRequest { Result = result }, actor, ct));
    }

    /// <summary>A complaint is part of the employer's history: its rating is brought up to date.</summary>
    private async Task RerateAsync(Guid employerId, CancellationToken ct)
    {
        var employer = await db.Employers.FirstAsync(e => e.Id == employerId, ct);
        rater.Rate(employer, await db.ComplianceRecords.AsNoTracking().Where(r => r.EmployerId == employerId).ToListAsync(ct));
        await db.SaveChangesAsync(ct);
    }
}
