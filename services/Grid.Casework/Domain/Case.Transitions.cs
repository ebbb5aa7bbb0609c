using Grid.Contracts.Events;

namespace Grid.Casework.Domain;

/// <summary>
/// The case as an aggregate: each step checks the life cycle (<see cref="CaseLifecycle"/>, the one table of legal
/// transitions), moves the case and its step deadline, and returns the events it raises, stamped with the case. A
/// refused step leaves the case untouched. No I/O: the handlers load, lock, store and publish.
/// </summary>
public sealed partial class Case
{
    /// <summary>上报: a new case, reported, held by the grid where it happened, not yet numbered (<see cref="AssignNumber"/>).</summary>
    public static Case NewReport(
        string domain, string category, string severity, string title, string description, string source, string gridId, string[] gridPath,
        double? longitude, double? latitude, DateTimeOffset occurredAt, DateTimeOffset receivedAt, string enteredBy) => new()
        {
            Id = Guid.CreateVersion7(receivedAt),
            Domain = domain,
            Category = category,
            Severity = severity,
            Title = title,
            Description = description,
            Source = source,
            GridId = gridId,
            GridPath = gridPath,
            HolderGridId = gridId,
            Longitude = longitude,
            Latitude = latitude,
            State = CaseState.Reported,
            OccurredAt = occurredAt,
            ReceivedAt = receivedAt,
            UpdatedAt = receivedAt,
            EnteredBy = enteredBy,
        };

    /// <summary>Whether <paramref name="action"/> is legal from the current state (the refusal names both).</summary>
    public TransitionResult Check(CaseAction action) => CaseLifecycle.Apply(State, action);

    /// <summary>立案: the handling deadline starts.</summary>
    public CaseStepResult Accept(string acceptedBy, StepDeadlines limits, DateTimeOffset now) =>
        Take(CaseAction.Accept, now, () =>
        {
            MoveStep(CaseSteps.Handle, now + limits.HandleWithin);
            return [Stamp(new CaseAccepted { AcceptedBy = acceptedBy, HandleBy = StepDeadline }, now)];
        });

    /// <summary>不予立案: finished; a case opened for another domain's transfer answers it as rejected.</summary>
    public CaseStepResult Reject(string reason, DateTimeOffset now) =>
        Take(CaseAction.Reject, now, () =>
        {
            MoveStep(null, null);
            Result = reason;
            return [Stamp(new CaseRejected { Reason = reason }, now), .. TransferAnswer("rejected", reason, now)];
        });

    /// <summary>派遣: a handle-by given wins; otherwise a running handling deadline is kept, or a new one starts.</summary>
    public CaseStepResult Dispatch(string assignee, string? department, DateTimeOffset? handleBy, StepDeadlines limits, DateTimeOffset now) =>
        Take(CaseAction.Dispatch, now, () =>
        {
            Assignee = assignee;
            Department = department;
            MoveStep(CaseSteps.Handle, handleBy ?? (Step == CaseSteps.Handle && StepDeadline is { } running ? running : now + limits.HandleWithin));
            return [Stamp(new CaseDispatched { Assignee = Assignee, Department = Department, HandleBy = StepDeadline }, now)];
        });

    /// <summary>开始处置: no event of its own; the handling deadline runs on.</summary>
    public CaseStepResult Start(DateTimeOffset now) => Take(CaseAction.Start, now, () => []);

    /// <summary>反馈: the result is recorded and verification is due.</summary>
    public CaseStepResult Handle(string handledBy, string result, StepDeadlines limits, DateTimeOffset now) =>
        Take(CaseAction.Handle, now, () =>
        {
            Result = result;
            MoveStep(CaseSteps.Verify, now + limits.VerifyWithin);
            return [Stamp(new CaseHandled { HandledBy = handledBy, Result = Result }, now)];
        });

    /// <summary>核查: passed waits for closing; failed reopens (返工) with a new handling deadline.</summary>
    public CaseStepResult Verify(bool passed, string verifiedBy, string? reason, StepDeadlines limits, DateTimeOffset now) =>
        passed
            ? Take(CaseAction.VerifyPass, now, () =>
            {
                MoveStep(null, null);
                return [Stamp(new CaseVerified { VerifiedBy = verifiedBy }, now)];
            })
            : Take(CaseAction.VerifyFail, now, () =>
            {
                ReopenCount++;
                MoveStep(CaseSteps.Handle, now + limits.HandleWithin);
                return [Stamp(new CaseReopened { Reason = reason!, ReopenCount = ReopenCount, Responsible = Assignee ?? "", ResponsibleGridId = HolderGridId }, now)];
            });

    /// <summary>结案: on time unless a step was missed; a case opened for a transfer sends its result back as resolved.</summary>
    public CaseStepResult Close(string closedBy, DateTimeOffset now) =>
        Take(CaseAction.Close, now, () =>
        {
            MoveStep(null, null);
            return [Stamp(new CaseClosed { ClosedBy = closedBy, OnTime = !Breached, ReportedAt = OccurredAt, Responsible = Assignee ?? "", ResponsibleGridId = HolderGridId }, now), .. TransferAnswer("resolved", Result ?? "", now)];
        });

    /// <summary>移交: handed to <paramref name="targetDomain"/>, whose result is due by <paramref name="resultDueBy"/> (or a handling allowance).</summary>
    public CaseStepResult Transfer(string targetDomain, string? reason, DateTimeOffset? resultDueBy, StepDeadlines limits, DateTimeOffset now) =>
        Take(CaseAction.Transfer, now, () =>
        {
            TransferId = Guid.NewGuid();
            TransferDomain = targetDomain;
            TransferCaseId = null;
            TransferCaseNumber = null;
            MoveStep(CaseSteps.Transfer, resultDueBy ?? now + limits.HandleWithin);
            return [Stamp(new CaseTransferRequested
            {
                TransferId = TransferId.Value,
                TargetDomain = TransferDomain,
                Category = Category,
                Severity = Severity,
                Title = Title,
                Description = string.IsNullOrWhiteSpace(reason) ? Description : $"{Description}\n{reason}".Trim(),
                Longitude = Longitude,
                Latitude = Latitude,
                ResultDueBy = StepDeadline,
            }, now)];
        });

    /// <summary>
    /// 上报: ownership moves to <paramref name="toGridId"/>. The state becomes Escalated where the life cycle allows (the new
    /// holder accepts again); otherwise (e.g. awaiting verification) only the holder changes and it gets the step's full
    /// allowance again. Never refused: the deadline scheduler escalates whatever state a case is in.
    /// </summary>
    public CaseEscalated Escalate(string toGridId, string reason, StepDeadlines limits, DateTimeOffset now)
    {
        var from = HolderGridId;
        HolderGridId = toGridId;
        if (CaseLifecycle.TryNext(State, CaseAction.Escalate, out var next))
        {
            State = next;
            MoveStep(CaseSteps.Accept, now + limits.AcceptWithin);
        }
        else if (Step is { } step)
        {
            StepDeadline = now + Allowance(step, limits);
        }

        UpdatedAt = now;
        return Stamp(new CaseEscalated { FromGridId = from, ToGridId = toGridId, Reason = reason }, now);
    }

    /// <summary>The other domain opened its case for this one's transfer.</summary>
    public void TransferOpened(Guid caseId, string caseNumber, DateTimeOffset now)
    {
        TransferCaseId = caseId;
        TransferCaseNumber = caseNumber;
        UpdatedAt = now;
    }

    /// <summary>
    /// 结果反馈: the other domain's result. Resolved → Handled (the result is the feedback, verified here as usual);
    /// rejected → back to Handling here. Refused when the case moved on meanwhile.
    /// </summary>
    public CaseStepResult TransferAnswered(bool resolved, string fromDomain, Guid caseId, string caseNumber, string result, StepDeadlines limits, DateTimeOffset now) =>
        Take(resolved ? CaseAction.TransferResolved : CaseAction.TransferRefused, now, () =>
        {
            Result = $"[{fromDomain} {caseNumber}] {result}".Trim();
            TransferCaseId ??= caseId;
            TransferCaseNumber ??= caseNumber;
            if (!resolved)
            {
                MoveStep(CaseSteps.Handle, now + limits.HandleWithin);
                return [];
            }

            MoveStep(CaseSteps.Verify, now + limits.VerifyWithin);
            return [Stamp(new CaseHandled { HandledBy = $"{fromDomain}:{caseNumber}", Result = Result }, now)];
        });

    /// <summary>A step (or a summons) missed its deadline: the case can no longer close on time.</summary>
    public CaseDeadlineBreached Breach(string step, DateTimeOffset deadline, string responsible, DateTimeOffset now)
    {
        Breached = true;
        return Stamp(new CaseDeadlineBreached { Step = step, Deadline = deadline, Responsible = responsible, ResponsibleGridId = HolderGridId }, now);
    }

    /// <summary>Overdue with nobody above to escalate to: the holder is reminded after another full allowance.</summary>
    public void RemindAgain(string step, StepDeadlines limits, DateTimeOffset now)
    {
        StepDeadline = now + Allowance(step, limits);
        UpdatedAt = now;
    }

    /// <summary>An overdue transfer: the other domain owes the result, so the deadline stops rather than escalating here.</summary>
    public void StopTransferDeadline(DateTimeOffset now)
    {
        StepDeadline = null;
        UpdatedAt = now;
    }

    /// <summary>A new case's number and its first step (accept) with that step's deadline.</summary>
    public void AssignNumber(string number, StepDeadlines limits, DateTimeOffset now)
    {
        Number = number;
        MoveStep(CaseSteps.Accept, now + limits.AcceptWithin);
    }

    /// <summary>上报: the event of a new case, at the time it happened (a device's time for offline reports).</summary>
    public CaseReported Reported() => Stamp(new CaseReported
    {
        Category = Category,
        Severity = Severity,
        Title = Title,
        Source = Source,
        Longitude = Longitude,
        Latitude = Latitude,
        ReceivedAt = ReceivedAt,
    }, OccurredAt);

    /// <summary>An event of this case: its domain, id, number and grid, at <paramref name="at"/>.</summary>
    public TEvent Stamp<TEvent>(TEvent e, DateTimeOffset at)
        where TEvent : CaseEvent =>
        e with { OccurredAt = at, Domain = Domain, CaseId = Id, CaseNumber = Number, GridId = GridId, GridPath = GridPath };

    private CaseStepResult Take(CaseAction action, DateTimeOffset now, Func<CaseEvent[]> apply)
    {
        var transition = CaseLifecycle.Apply(State, action);
        if (!transition.Legal)
        {
            return new CaseStepResult(transition, []);
        }

        var events = apply();
        State = transition.To;
        UpdatedAt = now;
        return new CaseStepResult(transition, events);
    }

    private void MoveStep(string? step, DateTimeOffset? deadline)
    {
        Step = step;
        StepDeadline = deadline;
    }

    private CaseEvent[] TransferAnswer(string outcome, string result, DateTimeOffset now) =>
        OriginTransferId is { } transfer
            ? [Stamp(new CaseTransferResult { TransferId = transfer, OriginCaseId = OriginCaseId!.Value, OriginDomain = OriginDomain!, Outcome = outcome, Result = result }, now)]
            : [];

    private static TimeSpan Allowance(string step, StepDeadlines limits) => step switch
    {
        CaseSteps.Verify => limits.VerifyWithin,
        CaseSteps.Handle => limits.HandleWithin,
        _ => limits.AcceptWithin,
    };
}

/// <summary>A step taken on a case: the transition (legal or refused with its reason) and the events it raised.</summary>
public sealed record CaseStepResult(TransitionResult Transition, IReadOnlyList<CaseEvent> Events)
{
    public bool Legal => Transition.Legal;
}
