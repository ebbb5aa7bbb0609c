namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>An episode already on record, with the case it opened.</summary>
public sealed record StoredEpisode(Guid Id, DateTimeOffset StartedAt, DateTimeOffset LastBreachAt, double PeakValue, DateTimeOffset? EndedAt)
{
    public DateTimeOffset CoversUntil => EndedAt ?? DateTimeOffset.MaxValue;
}

/// <summary>
/// Matches the episodes found in a re-evaluated stretch of history against those on record, so that each episode
/// opens exactly one case no matter how often (or in which order) its readings are evaluated: a detected episode
/// that overlaps a recorded one is that episode (updated); one that overlaps none is new.
/// </summary>
public static class EpisodeReconciler
{
    public sealed record Outcome(IReadOnlyList<(StoredEpisode Before, StoredEpisode After)> Updated, IReadOnlyList<Episode> Opened);

    public static Outcome Reconcile(IReadOnlyList<StoredEpisode> stored, IReadOnlyList<Episode> detected)
    {
        var updated = new List<(StoredEpisode, StoredEpisode)>();
        var opened = new List<Episode>();
        var current = stored.OrderBy(s => s.StartedAt).ToList();
        foreach (var e in detected)
        {
            var index = current.FindIndex(s => s.StartedAt <= e.CoversUntil && e.StartedAt <= s.CoversUntil);
            if (index < 0)
            {
                opened.Add(e);
                continue;
            }

            var s = current[index];
            // The later last breach decides whether the episode has ended: evidence after it is the newer view.
            var ended = e.LastBreachAt >= s.LastBreachAt ? e.EndedAt : s.EndedAt;
            var merged = s with
            {
                StartedAt = e.StartedAt < s.StartedAt ? e.StartedAt : s.StartedAt,
                LastBreachAt = e.LastBreachAt > s.LastBreachAt ? e.LastBreachAt : s.LastBreachAt,
                PeakValue = Math.Max(s.PeakValue, e.PeakValue),
                EndedAt = ended,
            };
            if (merged != s)
            {
                updated.Add((s, merged));
                current[index] = merged;
            }
        }

        return new Outcome(updated, opened);
    }
}
