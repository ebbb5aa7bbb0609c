namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>One reading of one pollutant at one station.</summary>
public readonly record struct Sample(DateTimeOffset Time, double Value);

/// <summary>
/// 超标时段: an exceedance episode. It starts at the first breaching reading and ends once the readings have stayed
/// compliant for the clearing time; <see cref="EndedAt"/> is then the time of the first compliant reading.
/// </summary>
public sealed record Episode(DateTimeOffset StartedAt, DateTimeOffset LastBreachAt, double PeakValue, DateTimeOffset? EndedAt)
{
    /// <summary>The last moment this episode covers: its end, or for a running episode, forever.</summary>
    public DateTimeOffset CoversUntil => EndedAt ?? DateTimeOffset.MaxValue;
}

/// <summary>
/// The rule engine of online monitoring, pure: given one series' readings in time order and a rule, which readings
/// breach and which episodes they form. Called again over a stretch of history whenever new (or late) readings
/// arrive, so the answer depends only on the readings, never on their arrival order.
/// </summary>
public static class ExceedanceDetector
{
    /// <summary>
    /// Breach flag per reading. Instant: value &gt; limit. Average: mean of the readings in (t − window, t] &gt; limit.
    /// Consecutive: this and the K − 1 readings before it all &gt; limit.
    /// </summary>
    public static bool[] Breaches(IReadOnlyList<Sample> series, LimitRule rule)
    {
        var flags = new bool[series.Count];
        switch (rule.Kind)
        {
            case LimitKind.Instant:
                for (var i = 0; i < series.Count; i++)
                {
                    flags[i] = series[i].Value > rule.Limit;
                }

                break;
            case LimitKind.RollingAverage:
                {
                    var window = TimeSpan.FromMinutes(rule.WindowMinutes ?? 1);
                    var start = 0;
                    var sum = 0.0;
                    for (var i = 0; i < series.Count; i++)
                    {
                        sum += series[i].Value;
                        while (series[start].Time <= series[i].Time - window)
                        {
                            sum -= series[start].Value;
                            start++;
                        }

                        flags[i] = sum / (i - start + 1) > rule.Limit;
                    }

                    break;
                }

            case LimitKind.Consecutive:
                {
                    var k = rule.ConsecutiveCount ?? 2;
                    var run = 0;
                    for (var i = 0; i < series.Count; i++)
                    {
                        run = series[i].Value > rule.Limit ? run + 1 : 0;
                        flags[i] = run >= k;
                    }

                    break;
                }
        }

        return flags;
    }

    /// <summary>
    /// Episodes over the series: a breach opens one unless one is running; a running episode ends when a reading
    /// at least <paramref name="clearAfter"/> after the first compliant reading is still compliant. A breach in
    /// the meantime keeps the episode running, so a value hovering at the limit is one episode, not many.
    /// Readings before <paramref name="judgeFrom"/> are context only (they fill average windows and consecutive
    /// runs) and are not judged themselves: their own windows may reach past the history that was loaded.
    /// </summary>
    public static IReadOnlyList<Episode> Episodes(IReadOnlyList<Sample> series, LimitRule rule, TimeSpan clearAfter, DateTimeOffset? judgeFrom = null)
    {
        var flags = Breaches(series, rule);
        var result = new List<Episode>();
        DateTimeOffset? start = null, lastBreach = null, clearSince = null;
        var peak = double.MinValue;
        for (var i = 0; i < series.Count; i++)
        {
            var (time, value) = (series[i].Time, series[i].Value);
            if (judgeFrom is { } from && time < from)
            {
                continue;
            }

            if (flags[i])
            {
                start ??= time;
                lastBreach = time;
                peak = Math.Max(peak, value);
                clearSince = null;
            }
            else if (start is not null)
            {
                clearSince ??= time;
                if (time - clearSince.Value >= clearAfter)
                {
                    result.Add(new Episode(start.Value, lastBreach!.Value, peak, clearSince));
                    (start, lastBreach, clearSince, peak) = (null, null, null, double.MinValue);
                }
            }
        }

        if (start is not null)
        {
            result.Add(new Episode(start.Value, lastBreach!.Value, peak, null));
        }

        return result;
    }
}
