using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;

namespace Grid.Casework.Application;

/// <summary>
/// 逐级上报: moves a case's ownership up its grid chain — one level when it cannot be handled or is overdue, straight to
/// the top when it is major or asked to. Used by the escalate step, intake (major cases) and the deadline scheduler.
/// </summary>
public sealed class CaseEscalation(DeadlinePolicy deadlines, CaseChanges changes)
{
    /// <summary>Moves ownership to the chain level <paramref name="toLevel"/> (1 = parent) and records it in <paramref name="tx"/>.</summary>
    public async Task EscalateAsync(CaseworkTransaction tx, Case c, IReadOnlyList<GridLevel> chain, int toLevel, string reason, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var before = c.Clone();
        var escalated = c.Escalate(chain[Math.Min(toLevel, chain.Count - 1)].GridId, reason, deadlines.For(c.Category, c.Severity), now);

        // Only a stored case has a row to update (its Seq comes from the insert).
        if (c.Seq != 0 && before.Version == c.Version)
        {
            await CaseRepository.UpdateAsync(tx, c, ct);
        }

        await changes.RecordAsync(tx, before, c, "escalate", actor, [escalated], ct, auditAction: $"escalate:{reason}");
    }
}
