using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.Casework.Application;

/// <summary>
/// Opens a new case inside a transaction: its number and accept deadline, its row, its sealed reporter, its
/// <c>CaseReported</c> event, audit entry and hooks — and a major case straight to the top of its chain. Used by
/// intake and by a transfer from another domain.
/// </summary>
public sealed class CaseOpener(
    CaseworkOptions options,
    DeadlinePolicy deadlines,
    CaseNumberBlocks numbers,
    ReporterVault vault,
    CaseChanges changes,
    CaseEscalation escalation)
{
    /// <summary>Numbers, stores and announces one new case.</summary>
    public async Task OpenAsync(CaseworkTransaction tx, Case c, IReadOnlyList<GridLevel> chain, Actor actor, ReporterIdentity? reporter, DateTimeOffset now, CancellationToken ct)
    {
        await NumberAsync(c, now, ct);
        await CaseRepository.InsertAsync(tx, c, ct);
        await AnnounceAsync(tx, c, chain, actor, reporter, now, ct);
    }

    /// <summary>A new case's number (from this replica's block of the day) and its first step (accept) with that step's deadline.</summary>
    public async Task NumberAsync(Case c, DateTimeOffset now, CancellationToken ct)
    {
        var day = CaseNumber.LocalDay(now);
        var seq = await numbers.NextAsync(options.Prefix, day, ct);
        c.AssignNumber(CaseNumber.Format(options.Prefix, day, seq), deadlines.For(c.Category, c.Severity), now);
    }

    /// <summary>What follows a stored new case: its reporter sealed, its event, its audit entry, the domain's hooks, and a major one to the top.</summary>
    public async Task AnnounceAsync(CaseworkTransaction tx, Case c, IReadOnlyList<GridLevel> chain, Actor actor, ReporterIdentity? reporter, DateTimeOffset now, CancellationToken ct)
    {
        if (reporter is not null)
        {
            CaseRepository.SaveReporter(tx, c.Id, vault.Seal(c.Id, reporter));
        }

        await changes.RecordAsync(tx, null, c, "report", actor, [c.Reported()], ct);

        // 重大: straight to the top of the chain.
        if (string.Equals(c.Severity, options.MajorSeverity, StringComparison.OrdinalIgnoreCase) && chain.Count > 1)
        {
            await escalation.EscalateAsync(tx, c, chain, chain.Count - 1, EscalationReasons.Major, actor, now, ct);
        }
    }
}
