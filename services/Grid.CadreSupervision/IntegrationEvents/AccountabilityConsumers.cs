using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;

namespace Grid.CadreSupervision.IntegrationEvents;

/// <summary>超期: every domain's missed deadline becomes a record for the person or unit it names. Inbox: a redelivered event records nothing twice.</summary>
internal sealed class DeadlineBreachedConsumer(CaseworkDatabase casework, AccountabilityLedger ledger)
    : IdempotentConsumer<CaseDeadlineBreached>(casework)
{
    protected override async Task HandleAsync(CaseDeadlineBreached m, CaseworkTransaction tx, CancellationToken ct) =>
        await ledger.RecordAsync(Record(m, AccountabilityRules.Breach, m.Step, string.IsNullOrWhiteSpace(m.Responsible) ? $"grid:{m.ResponsibleGridId}" : m.Responsible.Trim(), m.ResponsibleGridId, m.Deadline), tx, ct);

    internal static AccountabilityRecord Record(
        CaseEvent m, string kind, string step, string responsible, string gridId, DateTimeOffset? deadline = null, int? reopenCount = null) => new()
        {
            EventId = m.EventId,
            Kind = kind,
            Domain = m.Domain,
            CaseId = m.CaseId,
            CaseNumber = m.CaseNumber,
            Step = step,
            Responsible = responsible,
            ResponsibleGridId = gridId,
            GridPath = [.. m.GridPath],
            OccurredAt = m.OccurredAt,
            Deadline = deadline,
            ReopenCount = reopenCount,
        };
}

/// <summary>逾期结案: a case of any domain closed after one of its deadlines passed is a record for whoever handled it.</summary>
internal sealed class CaseClosedLateConsumer(CaseworkDatabase casework, AccountabilityLedger ledger)
    : IdempotentConsumer<CaseClosed>(casework)
{
    protected override bool Accepts(CaseClosed m) => !m.OnTime;

    protected override async Task HandleAsync(CaseClosed m, CaseworkTransaction tx, CancellationToken ct)
    {
        var responsible = await ledger.ResponsibleAsync(m.Responsible, m.ResponsibleGridId, ct);
        await ledger.RecordAsync(DeadlineBreachedConsumer.Record(m, AccountabilityRules.ClosedLate, "close", responsible, m.ResponsibleGridId), tx, ct);
    }
}

/// <summary>反复返工: a case of any domain reopened more than the configured number of times is a record for whoever handled it, once.</summary>
internal sealed class CaseReopenedConsumer(CaseworkDatabase casework, AccountabilityLedger ledger, CadreOptions options)
    : IdempotentConsumer<CaseReopened>(casework)
{
    protected override bool Accepts(CaseReopened m) => options.Accountability.TooManyReopens(m.ReopenCount);

    protected override async Task HandleAsync(CaseReopened m, CaseworkTransaction tx, CancellationToken ct)
    {
        var responsible = await ledger.ResponsibleAsync(m.Responsible, m.ResponsibleGridId, ct);
        await ledger.RecordAsync(DeadlineBreachedConsumer.Record(m, AccountabilityRules.Reopened, CaseSteps.Verify, responsible, m.ResponsibleGridId, reopenCount: m.ReopenCount), tx, ct);
    }
}

/// <summary>吹哨报到迟到: a summoned department that reported for duty after its time is a record for the department.</summary>
internal sealed class SummonsAnsweredLateConsumer(CaseworkDatabase casework, AccountabilityLedger ledger)
    : IdempotentConsumer<DepartmentReported>(casework)
{
    protected override bool Accepts(DepartmentReported m) => m.Late;

    // Named as the deadline scheduler names a department that missed its time, so both count as the same lapse.
    protected override async Task HandleAsync(DepartmentReported m, CaseworkTransaction tx, CancellationToken ct) =>
        await ledger.RecordAsync(DeadlineBreachedConsumer.Record(m, AccountabilityRules.SummonsLate, CaseSteps.ReportForDuty, $"department:{m.DepartmentId}", m.GridId, m.ReportBy), tx, ct);
}
