namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>
/// 数据尾段: the recent stretch of one series (station × pollutant) as stored — every stored reading from
/// <see cref="From"/> on, in time order — so that judging new readings need not read back what was just judged.
/// Pure: whoever holds it decides whether it is still what the database holds.
/// </summary>
public sealed class SeriesTail
{
    private readonly List<Sample> _samples;

    /// <param name="from">The stretch starts here: no stored reading at or after it is missing.</param>
    /// <param name="samples">The stored readings at or after <paramref name="from"/>, in time order.</param>
    public SeriesTail(DateTimeOffset from, IEnumerable<Sample> samples)
    {
        From = from;
        _samples = [.. samples.Where(s => s.Time >= from)];
    }

    public DateTimeOffset From { get; private set; }

    public int Count => _samples.Count;

    /// <summary>
    /// The series from <paramref name="from"/> on once <paramref name="added"/> (newly stored, in time order, none of
    /// them stored before) are in it; null when the tail does not reach back to <paramref name="from"/>.
    /// </summary>
    public List<Sample>? With(DateTimeOffset from, IReadOnlyList<Sample> added)
    {
        if (from < From)
        {
            return null;
        }

        var start = LowerBound(_samples, from);
        var merged = new List<Sample>(_samples.Count - start + added.Count);
        var j = 0;
        while (j < added.Count && added[j].Time < from)
        {
            j++;
        }

        for (var i = start; i < _samples.Count; i++)
        {
            while (j < added.Count && added[j].Time < _samples[i].Time)
            {
                merged.Add(added[j++]);
            }

            merged.Add(_samples[i]);
        }

        while (j < added.Count)
        {
            merged.Add(added[j++]);
        }

        return merged;
    }

    /// <summary>Forgets readings older than <paramref name="keep"/> before the latest one; the stretch then starts there.</summary>
    public void Trim(TimeSpan keep)
    {
        if (_samples.Count == 0)
        {
            return;
        }

        var from = _samples[^1].Time - keep;
        if (from <= From)
        {
            return;
        }

        _samples.RemoveRange(0, LowerBound(_samples, from));
        From = from;
    }

    private static int LowerBound(List<Sample> samples, DateTimeOffset time)
    {
        int lo = 0, hi = samples.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (samples[mid].Time < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
