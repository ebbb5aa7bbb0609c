namespace Grid.Casework.Domain;

/// <summary>案件状态: where a case stands in the shared life cycle (docs/domain.md §4).</summary>
public enum CaseState
{
    /// <summary>上报: reported, waiting to be accepted.</summary>
    Reported,

    /// <summary>立案: accepted and registered.</summary>
    Accepted,

    /// <summary>不予立案: refused at acceptance. Terminal.</summary>
    Rejected,

    /// <summary>派遣: sent to a handler or department.</summary>
    Dispatched,

    /// <summary>处置: being handled.</summary>
    Handling,

    /// <summary>反馈: the handler reported it done; waits for verification.</summary>
    Handled,

    /// <summary>核查: verification confirmed the result; waits for closing.</summary>
    Verified,

    /// <summary>结案: closed. Terminal.</summary>
    Closed,

    /// <summary>返工: verification failed; goes back to handling.</summary>
    Reopened,

    /// <summary>上报(逐级): ownership moved to an ancestor grid, which takes it up again.</summary>
    Escalated,

    /// <summary>移交: handed to another domain; waits for its result.</summary>
    Transferred,
}

/// <summary>案件操作: what a person (or the system) does to a case.</summary>
public enum CaseAction
{
    Accept,
    Reject,
    Dispatch,
    Start,
    Handle,
    VerifyPass,
    VerifyFail,
    Close,
    Escalate,
    Transfer,

    /// <summary>The other domain's result came back (system only).</summary>
    TransferResolved,

    /// <summary>The other domain refused the transfer; the origin handles it itself (system only).</summary>
    TransferRefused,
}

/// <summary>Wire names of actions and states (kebab-case, as in routes and problem details).</summary>
public static class CaseNames
{
    public static string Of(CaseAction action) => action switch
    {
        CaseAction.VerifyPass => "verify-pass",
        CaseAction.VerifyFail => "verify-fail",
        CaseAction.TransferResolved => "transfer-resolved",
        CaseAction.TransferRefused => "transfer-refused",
        _ => action.ToString().ToLowerInvariant(),
    };

    public static string Of(CaseState state) => state.ToString().ToLowerInvariant();

    public static bool TryParseState(string? text, out CaseState state) =>
        Enum.TryParse(text, ignoreCase: true, out state) && Enum.IsDefined(state);
}
