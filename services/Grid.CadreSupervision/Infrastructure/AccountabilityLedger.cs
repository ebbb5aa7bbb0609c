using Grid.CadreSupervision.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.Infrastructure;

/// <summary>
/// 问责台账: writes a lapse from any domain for the person or unit it names, counts their records in the month and proposes
/// each measure whose threshold the count reaches, once (<see cref="AccountabilityRules"/>), in the consumer's inbox
/// transaction. The one place every kind of record goes through.
/// </summary>
internal sealed class AccountabilityLedger(CadreOptions options, IGridDirectory grids, TimeProvider time)
{
    /// <summary>
    /// Whom a lapse names: the person the event names, else the chief of the grid that held the case (as the deadline
    /// scheduler names them), else the grid itself.
    /// </summary>
    public async Task<string> ResponsibleAsync(string? named, string gridId, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(named))
        {
            return named.Trim();
        }

        var chain = string.IsNullOrEmpty(gridId) ? null : await grids.GetChainAsync(gridId, ct);
        return chain?.FirstOrDefault()?.Chief() ?? $"grid:{gridId}";
    }

    /// <summary>Records <paramref name="record"/> unless the same lapse is already recorded; proposes what its count reaches.</summary>
    public async Task<bool> RecordAsync(AccountabilityRecord record, CaseworkTransaction tx, CancellationToken ct)
    {
        await using var db = CadreDbContext.Within(tx);
        if (await AlreadyRecordedAsync(db, record, ct))
        {
            return false;
        }

        record.Id = Guid.CreateVersion7();
        record.Period = AccountabilityRules.PeriodOf(record.OccurredAt);
        db.Accountability.Add(record);
        await db.SaveChangesAsync(ct);

        var count = await db.Accountability.CountAsync(r => r.Responsible == record.Responsible && r.Period == record.Period, ct);
        var proposed = await db.Proposals.Where(p => p.Responsible == record.Responsible && p.Period == record.Period).Select(p => p.Measure).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var measure in options.Accountability.MeasuresFor(count).Except(proposed))
        {
            var proposal = new MeasureProposal
            {
                Id = Guid.CreateVersion7(),
                Responsible = record.Responsible,
                Period = record.Period,
                Measure = measure,
                Breaches = count,
                GridPath = record.GridPath,
                CreatedAt = now,
            };
            db.Proposals.Add(proposal);
            tx.Publish(new AccountabilityMeasureProposed
            {
                OccurredAt = now,
                Domain = Domains.Cadre,
                ProposalId = proposal.Id,
                Responsible = record.Responsible,
                Measure = measure,
                Period = record.Period,
                Breaches = count,
            });
        }

        await db.SaveChangesAsync(ct);
        return true;
    }

    // The same lapse reported twice under two events: a summons missed and then answered late; a case reopened again.
    // The table's unique indexes settle a race between the two (the loser is retried and finds the first).
    private static Task<bool> AlreadyRecordedAsync(CadreDbContext db, AccountabilityRecord r, CancellationToken ct) => r switch
    {
        { Step: Grid.Casework.Domain.CaseSteps.ReportForDuty } => db.Accountability.AnyAsync(
            x => x.Step == r.Step && x.CaseId == r.CaseId && x.Responsible == r.Responsible && x.Deadline == r.Deadline, ct),
        { Kind: AccountabilityRules.Reopened } => db.Accountability.AnyAsync(x => x.Kind == r.Kind && x.CaseId == r.CaseId, ct),
        _ => Task.FromResult(false),
    };
}
