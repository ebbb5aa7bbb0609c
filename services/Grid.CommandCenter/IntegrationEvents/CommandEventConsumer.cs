using Grid.CommandCenter.Infrastructure;
using Grid.Contracts.Events;
using MassTransit;

namespace Grid.CommandCenter.IntegrationEvents;

/// <summary>
/// Feeds one event type into the read models. Thin on purpose: the inbox entry and the projection commit together
/// in <see cref="ReadModelProjector"/> (Grid.Casework's inbox), written in groups by <see cref="ProjectionBatcher"/>;
/// ordering lives in the projector, so every event type is handled the same way. The message is acknowledged once
/// its group committed.
/// </summary>
public sealed class CommandEventConsumer<TEvent>(ProjectionBatcher batcher) : IConsumer<TEvent>
    where TEvent : IntegrationEvent
{
    public Task Consume(ConsumeContext<TEvent> context) => batcher.ApplyAsync(context.Message, context.CancellationToken);
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
