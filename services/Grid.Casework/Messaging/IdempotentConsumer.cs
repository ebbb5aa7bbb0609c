using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using MassTransit;

namespace Grid.Casework.Messaging;

/// <summary>
/// 收件箱: the base of every consumer. Records the event's EventId in the inbox in the same transaction as
/// the consumer's effect, so a redelivered event is recognised and skipped; events the consumer raises go
/// to the outbox of that same transaction. Subclasses implement <see cref="HandleAsync"/> and never commit.
/// </summary>
public abstract class IdempotentConsumer<TEvent>(CaseworkDatabase db) : IConsumer<TEvent>
    where TEvent : IntegrationEvent
{
    /// <summary>The inbox key: one consumer handles an event once; two different consumers each handle it.</summary>
    protected virtual string ConsumerName => GetType().Name;

    /// <summary>Return false to skip an event that is not for this service (e.g. a transfer to another domain).</summary>
    protected virtual bool Accepts(TEvent message) => true;

    public async Task Consume(ConsumeContext<TEvent> context)
    {
        if (!Accepts(context.Message))
        {
            return;
        }

        await using var tx = await db.BeginAsync(context.CancellationToken);
        if (!await tx.TryMarkHandledAsync(context.Message.EventId, ConsumerName, context.CancellationToken))
        {
            return;
        }

        await HandleAsync(context.Message, tx, context.CancellationToken);
        await tx.CommitAsync(context.CancellationToken);
    }

    /// <summary>The consumer's effect, inside the inbox transaction (<paramref name="tx"/> commits after it).</summary>
    protected abstract Task HandleAsync(TEvent message, CaseworkTransaction tx, CancellationToken ct);
}
