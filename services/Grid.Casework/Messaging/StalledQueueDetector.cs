namespace Grid.Casework.Messaging;

/// <summary>
/// Decides from successive looks at the broker whether a queue this service consumes has been left without
/// a consumer: messages waiting and nobody consuming, <see cref="Threshold"/> looks in a row. One look is not
/// enough: right after a reconnect the consumer is briefly not registered yet.
/// </summary>
public sealed class StalledQueueDetector(int threshold = 2)
{
    private readonly Dictionary<string, int> _strikes = new(StringComparer.Ordinal);

    public int Threshold { get; } = threshold;

    /// <summary>Records one look at <paramref name="queue"/>; true when it has now been stalled long enough.</summary>
    public bool Observe(string queue, uint messages, uint consumers)
    {
        if (messages == 0 || consumers > 0)
        {
            _strikes.Remove(queue);
            return false;
        }

        var strikes = _strikes.GetValueOrDefault(queue) + 1;
        _strikes[queue] = strikes;
        return strikes >= Threshold;
    }

    /// <summary>Forgets every queue's history (after a restart the count starts again).</summary>
    public void Reset() => _strikes.Clear();
}
