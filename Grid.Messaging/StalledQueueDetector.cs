using System.Collections.Concurrent;
using MassTransit;

namespace Grid.Messaging;

/// <summary>
/// Decides from successive looks at the broker whether a queue this service consumes has stalled here:
/// messages waiting, and not one delivered to this process between looks, <see cref="Threshold"/> intervals
/// in a row. That covers a consumer the broker no longer knows (a channel lost in a broker restart)
/// and one it still knows but which receives nothing (a channel left hung). A slow consumer still receives
/// something between looks; one interval alone is not enough, because right after a reconnect the consumer is
/// briefly not registered yet.
/// </summary>
public sealed class StalledQueueDetector(int threshold = 2)
{
    private readonly Dictionary<string, (long Delivered, int Strikes)> _seen = new(StringComparer.Ordinal);

    public int Threshold { get; } = threshold;

    /// <summary>Records one look at <paramref name="queue"/>; true when it has now been stalled long enough.</summary>
    /// <param name="messages">Messages ready in the queue.</param>
    /// <param name="delivered">How many messages of the queue this process has received so far.</param>
    public bool Observe(string queue, uint messages, long delivered)
    {
        var known = _seen.TryGetValue(queue, out var last);
        var strikes = messages > 0 && known && last.Delivered == delivered ? last.Strikes + 1 : 0;
        _seen[queue] = (delivered, strikes);
        return strikes >= Threshold;
    }

    /// <summary>Forgets every queue's history (after a restart the count starts again).</summary>
    public void Reset() => _seen.Clear();
}

/// <summary>Counts the messages this process received, by queue: what <see cref="StalledQueueDetector"/> compares.</summary>
public sealed class DeliveryCounter : IReceiveObserver
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    // On every delivery: the queue's name is worked out once per endpoint address, not per message.
    private readonly ConcurrentDictionary<Uri, string> _names = new();

    public long Delivered(string queue) => _counts.GetValueOrDefault(queue);

    public Task PreReceive(ReceiveContext context)
    {
        var queue = _names.GetOrAdd(context.InputAddress, a => a.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "");
        _counts.AddOrUpdate(queue, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
}
