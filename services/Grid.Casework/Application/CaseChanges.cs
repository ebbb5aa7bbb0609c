using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.Casework.Application;

/// <summary>
/// What every change of a case leaves in its transaction, besides the row: its events (outbox), its audit entry (the
/// case before and after) and the domain's hooks. One place, so no step forgets one of them.
/// </summary>
public sealed class CaseChanges(ICaseworkHooks hooks)
{
    /// <summary>Queues <paramref name="events"/>, audits the change as <paramref name="auditAction"/> (default: the action) and runs the hooks.</summary>
    public async Task RecordAsync(CaseworkTransaction tx, Case? before, Case after, string action, Actor actor, IEnumerable<CaseEvent> events, CancellationToken ct, string? auditAction = null)
    {
        foreach (var e in events)
        {
            tx.Publish(e);
        }

        tx.Audit(after.Id, actor.Subject, auditAction ?? action, actor.Origin, before is null ? null : CaseView.From(before), CaseView.From(after));
        await hooks.OnChangedAsync(new CaseChange(before, after, action, actor), tx, ct);
        if (before is not null && before.State != CaseState.Closed && after.State == CaseState.Closed)
        {
            await hooks.OnClosedAsync(after, tx, ct);
        }
    }
}
