using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.CommandCenter.Infrastructure;
using Grid.Contracts.Events;

namespace Grid.CommandCenter.IntegrationEvents;

/// <summary>
/// Feeds one event type into the read models. Thin on purpose: the inbox is Grid.Casework's
/// <see cref="IdempotentConsumer{TEvent}"/>, ordering lives in <see cref="ReadModelProjector"/>, so every
/// event type is handled the same way.
/// </summary>
public sealed class CommandEventConsumer<TEvent>(CaseworkDatabase db, ReadModelProjector projector, LiveFeed feed) : IdempotentConsumer<TEvent>(db)
    where TEvent : IntegrationEvent
{
    protected override string ConsumerName => ReadModelProjector.InboxConsumer;

    protected override async Task HandleAsync(TEvent message, CaseworkTransaction tx, CancellationToken ct)
    {
        var state = await projector.ProjectAsync(tx.Connection, tx.Transaction, message, ct);
        // Shown just before the commit; should the commit fail, the redelivery shows it again with the same
        // EventId, which the page ignores.
        feed.Publish(FeedItem.From(message, state));
    }
}

/// <summary>Every event the command centre listens to: all case events and grid changes.</summary>
public static class CommandEvents
{
    public static readonly Type[] All =
    [
        typeof(CaseReported), typeof(CaseAccepted), typeof(CaseRejected), typeof(CaseDispatched),
        typeof(CaseHandled), typeof(CaseVerified), typeof(CaseReopened), typeof(CaseClosed),
        typeof(CaseEscalated), typeof(CaseDeadlineBreached), typeof(CaseTransferRequested),
        typeof(CaseTransferAccepted), typeof(CaseTransferResult), typeof(DepartmentSummoned),
        typeof(DepartmentReported), typeof(GridChanged),
    ];
}
