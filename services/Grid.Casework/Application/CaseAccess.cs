using Grid.Casework.Domain;
using Grid.Contracts.Events;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Application;

/// <summary>
/// 岗位 × 网格: whether an actor may take a step of this domain's cases — one of their posts holds a role of the step
/// (<see cref="CaseRoles"/>) in this domain, first anywhere (before the case is loaded), then over the case's grid path.
/// Every handler asks here; the system (scheduler, consumers) may everything.
/// </summary>
public sealed class CaseAccess(CaseworkOptions options, CaseRoles roles)
{
    public CaseRoles Roles => roles;

    /// <summary>403 unless one of the actor's posts in this domain holds a role of <paramref name="step"/>; null when one does.</summary>
    public CaseOutcome? Refuse(Actor actor, string step) =>
        actor.May(roles.Holders(step), options.Domain)
            ? null
            : CaseOutcome.Forbidden($"'{step}' needs one of the roles: {string.Join(", ", roles.For(step))}.");

    /// <summary>403 unless such a post also covers the case's grid.</summary>
    public CaseOutcome? RefuseOn(Actor actor, string step, IEnumerable<string> gridPath) =>
        actor.May(roles.Holders(step), options.Domain, gridPath)
            ? null
            : CaseOutcome.Forbidden($"None of your posts may '{step}' on this case's grid.");

    /// <summary>
    /// 综合网格员: a worker of the comprehensive grid, whose token carries the comprehensive domain and not this
    /// department's, finds problems of every department on their patrol and reports them to the competent one. They
    /// may report and follow their own reports; every other step is the department's.
    /// </summary>
    public bool IsComprehensiveFinder(Actor actor) =>
        actor.User is { } u && !u.Allows(null, options.Domain) && u.Allows(null, Domains.Comprehensive);

    /// <summary>403 when <paramref name="actor"/> may not report here; null when they may.</summary>
    public CaseOutcome? ReportRefusal(Actor actor) =>
        IsComprehensiveFinder(actor) ? null : Refuse(actor, CaseRoles.Report);

    /// <summary>403 unless the actor reads cases here: a reader's or a reporter's post, or a comprehensive-grid finder.</summary>
    public CaseOutcome? ReadRefusal(Actor actor) =>
        actor.May(roles.Readers, options.Domain) || IsComprehensiveFinder(actor)
            ? null
            : CaseOutcome.Forbidden("Reading cases needs a staff role of this domain.");

    /// <summary>403 unless the actor reads this case: over its grid, or a finder's own report (结果反馈).</summary>
    public CaseOutcome? ReadRefusal(Actor actor, Case c)
    {
        if (IsComprehensiveFinder(actor))
        {
            return c.EnteredBy == actor.Subject ? null : CaseOutcome.Forbidden("A comprehensive-grid finder reads only the cases they reported.");
        }

        return actor.May(roles.Readers, options.Domain, c.GridPath) ? null : CaseOutcome.Forbidden("None of your posts covers this case's grid.");
    }
}
