using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.IntegrationEvents;

/// <summary>
/// 问责: every domain's missed deadline (<see cref="CaseDeadlineBreached"/>) becomes an accountability record for the
/// person or unit it names, counted over the month; a count that reaches a measure's threshold proposes the measure
/// once (<see cref="AccountabilityRules"/>). Inbox: a redelivered event records nothing twice.
/// </summary>
internal sealed class DeadlineBreachedConsumer(CaseworkDatabase casework, CadreOptions options, TimeProvider time)
    : IdempotentConsumer<CaseDeadlineBreached>(casework)
{
    protected override async Task HandleAsync(CaseDeadlineBreached m, CaseworkTransaction tx, CancellationToken ct)
    {
        var responsible = string.IsNullOrWhiteSpace(m.Responsible) ? $"grid:{m.ResponsibleGridId}" : m.Responsible.Trim();
        var period = AccountabilityRules.PeriodOf(m.OccurredAt);
        await using var db = CadreDbContext.Within(tx);
        db.Accountability.Add(new AccountabilityRecord
        {
            Id = Guid.CreateVersion7(),
            EventId = m.EventId,
            Domain = m.Domain,
            CaseId = m.CaseId,
            CaseNumber = m.CaseNumber,
            Step = m.Step,
            Deadline = m.Deadline,
            Responsible = responsible,
            ResponsibleGridId = m.ResponsibleGridId,
            GridPath = [.. m.GridPath],
            Period = period,
            OccurredAt = m.OccurredAt,
        });
        await db.SaveChangesAsync(ct);

        var count = await db.Accountability.CountAsync(r => r.Responsible == responsible && r.Period == period, ct);
        var proposed = await db.Proposals.Where(p => p.Responsible == responsible && p.Period == period).Select(p => p.Measure).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var measure in options.Accountability.MeasuresFor(count).Except(proposed))
        {
            var proposal = new MeasureProposal
            {
                Id = Guid.CreateVersion7(),
                Responsible = responsible,
                Period = period,
                Measure = measure,
                Breaches = count,
                GridPath = [.. m.GridPath],
                CreatedAt = now,
            };
            db.Proposals.Add(proposal);
            tx.Publish(new AccountabilityMeasureProposed
            {
                OccurredAt = now,
                Domain = Domains.Cadre,
                ProposalId = proposal.Id,
                Responsible = responsible,
                Measure = measure,
                Period = period,
                Breaches = count,
            });
        }

        await db.SaveChangesAsync(ct);
    }
}
