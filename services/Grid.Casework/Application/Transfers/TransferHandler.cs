using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.Casework.Application;

/// <summary>
/// 移交, both sides, inside the consumer's transaction (the inbox makes a redelivery do nothing). The target opens its
/// own case for the request and answers; the origin records that it was opened, and later its result (结果反馈).
/// </summary>
public sealed class TransferHandler(
    CaseworkOptions options,
    DeadlinePolicy deadlines,
    IGridDirectory grids,
    CaseOpener opener,
    CaseChanges changes,
    CaseClock clock)
{
    public string Domain => options.Domain;

    /// <summary>The target side: opens this domain's own case for another domain's transfer and answers it.</summary>
    public async Task OpenFromTransferAsync(CaseTransferRequested m, CaseworkTransaction tx, CancellationToken ct)
    {
        var now = clock.Now();
        string? gridId = null;
        if (m.Longitude is { } lon && m.Latitude is { } lat)
        {
            gridId = await grids.ResolveAsync(options.Domain, lon, lat, ct);
        }

        var placedByPosition = gridId is not null;
        gridId ??= m.GridId;
        var chain = await grids.GetChainAsync(gridId, ct)
            ?? [new GridLevel(gridId, gridId, gridId, [])];

        // Without a position, a grid of the origin's hierarchy (a labor grid) is not this domain's: the case goes to the
        // top of this domain's own hierarchy, whose people place it, rather than to a grid none of them holds.
        if (!placedByPosition && await grids.RootsAsync(options.Domain, ct) is [var root] && chain[^1].GridId != root.Id)
        {
            gridId = root.Id;
            chain = await grids.GetChainAsync(gridId, ct) ?? [new GridLevel(gridId, gridId, gridId, [])];
        }

        var actor = Actor.System($"transfer:{m.Domain}");
        var c = Case.NewReport(
            options.Domain,
            m.Category.Length > CaseLimits.MaxShort ? m.Category[..CaseLimits.MaxShort] : m.Category,
            options.Severities.Contains(m.Severity, StringComparer.OrdinalIgnoreCase) ? m.Severity.ToLowerInvariant() : DeadlinePolicy.General,
            m.Title.Length > CaseLimits.MaxTitle ? m.Title[..CaseLimits.MaxTitle] : m.Title,
            $"{m.Description}\n[移交自 {m.Domain} {m.CaseNumber}]".Trim(),
            "transfer",
            gridId,
            chain.Select(l => l.GridId).Reverse().ToArray(),
            m.Longitude,
            m.Latitude,
            now,
            now,
            actor.Subject);

        // Opened for another domain's transfer: its result goes back there when this case is closed or rejected.
        c.OriginDomain = m.Domain;
        c.OriginCaseId = m.CaseId;
        c.OriginTransferId = m.TransferId;
        await opener.OpenAsync(tx, c, chain, actor, null, now, ct);
        tx.Publish(c.Stamp(new CaseTransferAccepted { TransferId = m.TransferId, OriginCaseId = m.CaseId, OriginDomain = m.Domain }, now));
    }

    /// <summary>The origin side: the target opened its case.</summary>
    public async Task RecordTransferAcceptedAsync(CaseTransferAccepted m, CaseworkTransaction tx, CancellationToken ct)
    {
        var c = await CaseRepository.GetByTransferAsync(tx, m.TransferId, origin: true, ct);
        if (c is null)
        {
            return;
        }

        var before = c.Clone();
        c.TransferOpened(m.CaseId, m.CaseNumber, clock.Now());
        await CaseRepository.UpdateAsync(tx, c, ct);
        tx.Audit(c.Id, "system", "transfer-accepted", $"transfer:{m.Domain}", CaseView.From(before), CaseView.From(c));
    }

    /// <summary>
    /// The origin side: the target's result came back. Resolved → the origin case is Handled (the result is its
    /// feedback, verified by the origin's chief as usual); rejected → back to Handling by the origin.
    /// </summary>
    public async Task RecordTransferResultAsync(CaseTransferResult m, CaseworkTransaction tx, CancellationToken ct)
    {
        var c = await CaseRepository.GetByTransferAsync(tx, m.TransferId, origin: true, ct);
        if (c is null)
        {
            return;
        }

        var before = c.Clone();
        var resolved = m.Outcome == "resolved";
        var step = c.TransferAnswered(resolved, m.Domain, m.CaseId, m.CaseNumber, m.Result, deadlines.For(c.Category, c.Severity), clock.Now());
        if (!step.Legal)
        {
            // A stale result for a case that moved on: recorded in the audit trail, state untouched.
            tx.Audit(c.Id, "system", $"{CaseNames.Of(step.Transition.Action)}-ignored", $"transfer:{m.Domain}", null, new { m.TransferId, m.Outcome, state = CaseNames.Of(c.State) });
            return;
        }

        await CaseRepository.UpdateAsync(tx, c, ct);
        await changes.RecordAsync(tx, before, c, CaseNames.Of(step.Transition.Action), Actor.System($"transfer:{m.Domain}"), step.Events, ct);
    }
}
