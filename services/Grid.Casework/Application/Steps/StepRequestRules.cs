using Grid.Casework.Domain;
using Grid.Messaging;

namespace Grid.Casework.Application;

/// <summary>The fields each step's body needs (errors by field, checked before anything is loaded).</summary>
public sealed class StepRequestRules(CaseworkOptions options)
{
    public CaseOutcome? Check(CaseAction action, CaseActionRequest b, DateTimeOffset now)
    {
        static bool Missing(string? s) => string.IsNullOrWhiteSpace(s);
        var errors = new Dictionary<string, string[]>();
        var max = options.MaxTextLength;
        switch (action)
        {
            case CaseAction.Reject or CaseAction.VerifyFail when Missing(b.Reason):
                errors["reason"] = ["is required"];
                break;
            case CaseAction.Dispatch:
                if (Missing(b.Assignee)) errors["assignee"] = ["is required"];
                else if (b.Assignee!.Length > CaseLimits.MaxTitle) errors["assignee"] = [$"must be at most {CaseLimits.MaxTitle} characters"];
                if ((b.Department?.Length ?? 0) > CaseLimits.MaxTitle) errors["department"] = [$"must be at most {CaseLimits.MaxTitle} characters"];
                if (b.HandleBy is { } hb && hb <= now) errors["handleBy"] = ["must be in the future"];
                break;
            case CaseAction.Handle when Missing(b.Result):
                errors["result"] = ["is required"];
                break;
            case CaseAction.Transfer:
                if (Missing(b.TargetDomain)) errors["targetDomain"] = ["is required"];
                // Only a department with a case desk can take a transfer; anything else would wait in the outbox for ever.
                else if (!CaseworkTopology.CaseDomains.Contains(b.TargetDomain!.Trim().ToLowerInvariant()) || string.Equals(b.TargetDomain.Trim(), options.Domain, StringComparison.OrdinalIgnoreCase))
                {
                    var takers = CaseworkTopology.CaseDomains.Where(d => d != options.Domain);
                    errors["targetDomain"] = [$"'{b.TargetDomain.Trim()}' takes no transfers from {options.Domain}; the domains that can take one: {string.Join(", ", takers)}"];
                }

                if (b.ResultDueBy is { } due && due <= now) errors["resultDueBy"] = ["must be in the future"];
                break;
        }

        if ((b.Reason?.Length ?? 0) > max) errors["reason"] = [$"must be at most {max} characters"];
        if ((b.Result?.Length ?? 0) > max) errors["result"] = [$"must be at most {max} characters"];
        return errors.Count > 0 ? CaseOutcome.Invalid(errors) : null;
    }
}
