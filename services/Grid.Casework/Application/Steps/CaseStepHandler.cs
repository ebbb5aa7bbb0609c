using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.Casework.Application;

/// <summary>
/// The life-cycle steps a person takes (立案, 不予立案, 派遣, 处置, 反馈, 核查, 结案, 上报, 移交): the body checked
/// (<see cref="StepRequestRules"/>), the post checked (<see cref="CaseAccess"/>), the case loaded under a row lock, the
/// step taken on the aggregate (<see cref="Case"/>, which refuses what the life cycle does not allow), and the case,
/// its events, its audit entry and the domain's hooks written in one transaction.
/// </summary>
public sealed class CaseStepHandler(
    CaseworkDatabase db,
    CaseworkOptions options,
    CaseAccess access,
    DeadlinePolicy deadlines,
    IGridDirectory grids,
    CaseChanges changes,
    CaseEscalation escalation,
    StepRequestRules rules,
    CaseClock clock)
{
    public async Task<CaseOutcome> ActAsync(Guid id, CaseAction action, CaseActionRequest body, Actor actor, CancellationToken ct)
    {
        var name = CaseNames.Of(action);
        if (access.Refuse(actor, name) is { } forbidden)
        {
            return forbidden;
        }

        var now = clock.Now();
        if (rules.Check(action, body, now) is { } invalid)
        {
            return invalid;
        }

        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, forUpdate: true, ct);
        if (c is null || c.Domain != options.Domain)
        {
            return CaseOutcome.NotFound();
        }

        if (access.RefuseOn(actor, name, c.GridPath) is { } outside)
        {
            return outside;
        }

        if (c.Check(action) is { Legal: false } refused)
        {
            return Conflict(c, action, refused.Reason!);
        }

        if (action == CaseAction.Escalate)
        {
            return await EscalateAsync(tx, c, body, actor, now, ct);
        }

        var before = c.Clone();
        var limits = deadlines.For(c.Category, c.Severity);
        var step = action switch
        {
            CaseAction.Accept => c.Accept(actor.Subject, limits, now),
            CaseAction.Reject => c.Reject(body.Reason!, now),
            CaseAction.Dispatch => c.Dispatch(body.Assignee!.Trim(), body.Department?.Trim(), body.HandleBy, limits, now),
            CaseAction.Start => c.Start(now),
            CaseAction.Handle => c.Handle(actor.Subject, body.Result!.Trim(), limits, now),
            CaseAction.VerifyPass => c.Verify(true, actor.Subject, body.Reason, limits, now),
            CaseAction.VerifyFail => c.Verify(false, actor.Subject, body.Reason, limits, now),
            CaseAction.Close => c.Close(actor.Subject, now),
            CaseAction.Transfer => c.Transfer(body.TargetDomain!.Trim().ToLowerInvariant(), body.Reason, body.ResultDueBy, limits, now),
            _ => null,
        };
        if (step is null)
        {
            return CaseOutcome.Forbidden($"'{name}' is taken by the system only.");
        }

        await CaseRepository.UpdateAsync(tx, c, ct);
        await changes.RecordAsync(tx, before, c, name, actor, step.Events, ct);
        await tx.CommitAsync(ct);
        return CaseOutcome.Ok(c);
    }

    /// <summary>上报 (cannot handle): one level up, or to the top when asked; refused at the top of the chain.</summary>
    private async Task<CaseOutcome> EscalateAsync(CaseworkTransaction tx, Case c, CaseActionRequest body, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var chain = await grids.GetChainAsync(c.HolderGridId, ct);
        if (chain is null || chain.Count < 2)
        {
            return Conflict(c, CaseAction.Escalate, $"Case {c.Number} is already held by the top of its chain; it cannot go higher.");
        }

        await escalation.EscalateAsync(tx, c, chain, body.ToTop == true ? chain.Count - 1 : 1, EscalationReasons.CannotHandle, actor, now, ct);
        await tx.CommitAsync(ct);
        return CaseOutcome.Ok(c);
    }

    private static CaseOutcome Conflict(Case c, CaseAction action, string why) =>
        CaseOutcome.Conflict(why, new { currentState = CaseNames.Of(c.State), action = CaseNames.Of(action) });
}
