using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Grid.Messaging;

namespace Grid.Casework.IntegrationEvents;

/// <summary>接收移交: another domain hands this domain a case; open our own and answer.</summary>
public sealed class TransferRequestedConsumer(CaseworkDatabase db, TransferHandler transfers) : IdempotentConsumer<CaseTransferRequested>(db)
{
    protected override bool Accepts(CaseTransferRequested m) => string.Equals(m.TargetDomain, transfers.Domain, StringComparison.OrdinalIgnoreCase);

    protected override Task HandleAsync(CaseTransferRequested m, CaseworkTransaction tx, CancellationToken ct) => transfers.OpenFromTransferAsync(m, tx, ct);
}

/// <summary>移交已接收: the target domain opened its case for our transfer.</summary>
public sealed class TransferAcceptedConsumer(CaseworkDatabase db, TransferHandler transfers) : IdempotentConsumer<CaseTransferAccepted>(db)
{
    protected override bool Accepts(CaseTransferAccepted m) => string.Equals(m.OriginDomain, transfers.Domain, StringComparison.OrdinalIgnoreCase);

    protected override Task HandleAsync(CaseTransferAccepted m, CaseworkTransaction tx, CancellationToken ct) => transfers.RecordTransferAcceptedAsync(m, tx, ct);
}

/// <summary>结果反馈: the target domain's case closed (or was refused); our case continues.</summary>
public sealed class TransferResultConsumer(CaseworkDatabase db, TransferHandler transfers) : IdempotentConsumer<CaseTransferResult>(db)
{
    protected override bool Accepts(CaseTransferResult m) => string.Equals(m.OriginDomain, transfers.Domain, StringComparison.OrdinalIgnoreCase);

    protected override Task HandleAsync(CaseTransferResult m, CaseworkTransaction tx, CancellationToken ct) => transfers.RecordTransferResultAsync(m, tx, ct);
}
