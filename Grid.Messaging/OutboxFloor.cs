namespace Grid.Messaging;

/// <summary>
/// 发件箱低水位: the sequence number up to which every outbox row is known published, so that the relay's poll
/// starts there instead of walking the pending index over every row published since the last vacuum (an update
/// that publishes a row leaves its index entry behind until then; at a few hundred events a second the walk cost
/// more than all the inserts). Sequence numbers are taken before commit, so a number missing below a fetched one
/// is a transaction still in flight — it commits a moment later — or one rolled back, which never comes: a
/// missing number holds the floor for the gap timeout and is passed after it. A full poll from the start, every
/// full-poll interval, still finds a row that commits later than that. A row that keeps failing to publish holds
/// the mark (later events of its case must wait for it); only the <paramref name="maxTracked"/> numbers above the
/// mark are remembered, and those beyond are looked at again as the mark moves up (being published, they are not
/// fetched, so they pass as missing after the gap timeout). Plain class: the relay tells it what each committed
/// batch fetched and published.
/// </summary>
public sealed class OutboxFloor(TimeSpan gapTimeout, TimeSpan fullPollInterval, int maxTracked = 100_000)
{
    private readonly HashSet<long> _published = [];
    private readonly Dictionary<long, DateTimeOffset> _missingSince = [];
    private DateTimeOffset _lastFullPoll = DateTimeOffset.MinValue;

    // Numbers up to here have been looked at once for gaps; each poll looks only at what is new.
    private long _examined;
    private long _highestSeen;

    /// <summary>Every row with a sequence number up to this one is published (or its number was never used).</summary>
    public long Value { get; private set; }

    /// <summary>The exclusive lower bound for the next poll: the floor, or 0 when a full poll is due.</summary>
    public long Bound(DateTimeOffset now) => Value == 0 || now - _lastFullPoll >= fullPollInterval ? 0 : Value;

    /// <summary>After a committed batch polled from <paramref name="bound"/>: the numbers it fetched, and those it published.</summary>
    public void Record(long bound, IReadOnlyCollection<long> fetched, IReadOnlyCollection<long> published, DateTimeOffset now)
    {
        if (bound == 0)
        {
            _lastFullPoll = now;
            if (Value == 0 && fetched.Count > 0)
            {
                // Starting out: what lies below the first pending row is taken as published. A row still in flight
                // down there goes out with the next full poll.
                Value = fetched.Min() - 1;
            }
        }

        var windowEnd = Value + maxTracked;
        foreach (var seq in published)
        {
            if (seq > Value && seq <= windowEnd)
            {
                _published.Add(seq);
                _missingSince.Remove(seq);
            }
        }

        // The poll returned the lowest pending numbers above its bound, so a number up to the highest it returned
        // that it did not return was not pending; an empty poll says so of everything seen so far.
        var highest = fetched.Count > 0 ? fetched.Max() : _highestSeen;
        _highestSeen = Math.Max(_highestSeen, highest);
        var pending = fetched.Except(published).ToHashSet();
        var until = Math.Min(highest, windowEnd);
        for (var seq = Math.Max(Value, _examined) + 1; seq <= until; seq++)
        {
            if (!_published.Contains(seq) && !pending.Contains(seq))
            {
                _missingSince.TryAdd(seq, now);
            }
        }

        _examined = Math.Max(_examined, until);

        while (true)
        {
            var next = Value + 1;
            if (_published.Remove(next))
            {
                Value = next;
            }
            else if (_missingSince.TryGetValue(next, out var since) && now - since >= gapTimeout)
            {
                _missingSince.Remove(next);
                Value = next;
            }
            else
            {
                break;
            }
        }

    }

    /// <summary>Forgets everything (another relay took over for a while): the next poll is a full one.</summary>
    public void Reset()
    {
        _published.Clear();
        _missingSince.Clear();
        Value = 0;
        _examined = 0;
        _highestSeen = 0;
    }
}
