namespace Grid.Casework.Domain;

/// <summary>
/// 案件流转规则: the one state machine every domain shares. Pure: no I/O, no clock. A refused transition is
/// reported with the current state and the attempted action, never ignored.
/// </summary>
public static class CaseLifecycle
{
    private static readonly CaseState[] Open =
        [CaseState.Reported, CaseState.Accepted, CaseState.Dispatched, CaseState.Handling, CaseState.Handled,
         CaseState.Verified, CaseState.Reopened, CaseState.Escalated, CaseState.Transferred];

    /// <summary>(from, action) → to. Everything not listed is illegal.</summary>
    private static readonly Dictionary<(CaseState From, CaseAction Action), CaseState> Table = new()
    {
        [(CaseState.Reported, CaseAction.Accept)] = CaseState.Accepted,
        [(CaseState.Reported, CaseAction.Reject)] = CaseState.Rejected,
        [(CaseState.Reported, CaseAction.Escalate)] = CaseState.Escalated,

        // The ancestor grid takes an escalated case up again: accepts, refuses, dispatches or sends it further.
        [(CaseState.Escalated, CaseAction.Accept)] = CaseState.Accepted,
        [(CaseState.Escalated, CaseAction.Reject)] = CaseState.Rejected,
        [(CaseState.Escalated, CaseAction.Dispatch)] = CaseState.Dispatched,
        [(CaseState.Escalated, CaseAction.Escalate)] = CaseState.Escalated,
        [(CaseState.Escalated, CaseAction.Transfer)] = CaseState.Transferred,

        [(CaseState.Accepted, CaseAction.Dispatch)] = CaseState.Dispatched,
        [(CaseState.Accepted, CaseAction.Escalate)] = CaseState.Escalated,
        [(CaseState.Accepted, CaseAction.Transfer)] = CaseState.Transferred,

        [(CaseState.Dispatched, CaseAction.Start)] = CaseState.Handling,
        [(CaseState.Dispatched, CaseAction.Escalate)] = CaseState.Escalated,
        [(CaseState.Dispatched, CaseAction.Transfer)] = CaseState.Transferred,

        [(CaseState.Handling, CaseAction.Handle)] = CaseState.Handled,
        [(CaseState.Handling, CaseAction.Escalate)] = CaseState.Escalated,
        [(CaseState.Handling, CaseAction.Transfer)] = CaseState.Transferred,

        [(CaseState.Handled, CaseAction.VerifyPass)] = CaseState.Verified,
        [(CaseState.Handled, CaseAction.VerifyFail)] = CaseState.Reopened,

        [(CaseState.Verified, CaseAction.Close)] = CaseState.Closed,

        [(CaseState.Reopened, CaseAction.Start)] = CaseState.Handling,
        [(CaseState.Reopened, CaseAction.Escalate)] = CaseState.Escalated,
        [(CaseState.Reopened, CaseAction.Transfer)] = CaseState.Transferred,

        // The other domain's case closed: its result is the origin's feedback (反馈), verified like any other.
        [(CaseState.Transferred, CaseAction.TransferResolved)] = CaseState.Handled,

        // The other domain refused it: the origin handles the case itself.
        [(CaseState.Transferred, CaseAction.TransferRefused)] = CaseState.Handling,
    };

    public static IReadOnlyCollection<(CaseState From, CaseAction Action, CaseState To)> Transitions =>
        Table.Select(kv => (kv.Key.From, kv.Key.Action, kv.Value)).ToList();

    public static bool IsOpen(CaseState state) => Open.Contains(state);

    public static bool IsTerminal(CaseState state) => !IsOpen(state);

    public static bool TryNext(CaseState from, CaseAction action, out CaseState to) => Table.TryGetValue((from, action), out to);

    /// <summary>The actions legal from a state (shown in refusals and case views).</summary>
    public static IReadOnlyList<CaseAction> AllowedFrom(CaseState from) =>
        Table.Keys.Where(k => k.From == from).Select(k => k.Action).ToList();

    /// <summary>The target state, or a refusal naming the current state and the attempted action.</summary>
    public static TransitionResult Apply(CaseState from, CaseAction action) =>
        TryNext(from, action, out var to)
            ? TransitionResult.Ok(from, action, to)
            : TransitionResult.Refused(from, action,
                $"A case in state '{CaseNames.Of(from)}' cannot '{CaseNames.Of(action)}'. Allowed: "
                + (AllowedFrom(from) is { Count: > 0 } allowed ? string.Join(", ", allowed.Select(CaseNames.Of)) : "none (the case is finished)")
                + ".");
}

/// <summary>The outcome of applying an action to a state.</summary>
public sealed record TransitionResult(bool Legal, CaseState From, CaseAction Action, CaseState To, string? Reason)
{
    public static TransitionResult Ok(CaseState from, CaseAction action, CaseState to) => new(true, from, action, to, null);

    public static TransitionResult Refused(CaseState from, CaseAction action, string reason) => new(false, from, action, from, reason);
}
