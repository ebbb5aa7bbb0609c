using Grid.EnvironmentMonitoring.Domain;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>The rule engine on hand-computed series; arithmetic in the comments.</summary>
public class ExceedanceRuleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>One reading a minute from T0.</summary>
    private static List<Sample> Minutely(params double[] values) =>
        values.Select((v, i) => new Sample(T0.AddMinutes(i), v)).ToList();

    private static LimitRule Rule(LimitKind kind, double limit, int? window = null, int? count = null) =>
        new() { Id = Guid.NewGuid(), Pollutant = "COD", Kind = kind, Limit = limit, WindowMinutes = window, ConsecutiveCount = count };

    [Fact]
    public void Instant_rule_flags_only_values_strictly_above_the_limit()
    {
        // limit 100: 99 no, 100 no (equal complies), 100.1 yes, 150 yes, 80 no.
        var flags = ExceedanceDetector.Breaches(Minutely(99, 100, 100.1, 150, 80), Rule(LimitKind.Instant, 100));
        Assert.Equal([false, false, true, true, false], flags);
    }

    [Fact]
    public void Rolling_average_uses_the_readings_of_the_last_N_minutes_inclusive()
    {
        // window 3 min, limit 50; readings at minutes 0..5 = 40, 60, 70, 20, 30, 100.
        // window (t−3, t]:
        //  m0: {40}            → 40.0   no
        //  m1: {40,60}         → 50.0   no (equal)
        //  m2: {40,60,70}      → 56.67  yes
        //  m3: {60,70,20}      → 50.0   no (m0 dropped: 0 ≤ 3−3)
        //  m4: {70,20,30}      → 40.0   no
        //  m5: {20,30,100}     → 50.0   no
        var flags = ExceedanceDetector.Breaches(Minutely(40, 60, 70, 20, 30, 100), Rule(LimitKind.RollingAverage, 50, window: 3));
        Assert.Equal([false, false, true, false, false, false], flags);
    }

    [Fact]
    public void Rolling_average_window_follows_time_not_reading_count()
    {
        // Readings at 0, 10, 11 min; window 5 min, limit 50: values 90, 10, 100.
        //  m0: {90} → 90 yes;  m10: {10} → 10 no (m0 is 10 min back);  m11: {10,100} → 55 yes.
        var series = new List<Sample> { new(T0, 90), new(T0.AddMinutes(10), 10), new(T0.AddMinutes(11), 100) };
        Assert.Equal([true, false, true], ExceedanceDetector.Breaches(series, Rule(LimitKind.RollingAverage, 50, window: 5)));
    }

    [Fact]
    public void Consecutive_rule_needs_K_breaches_in_a_row_and_restarts_after_a_compliant_one()
    {
        // K = 3, limit 10; values 11, 12, 9, 11, 12, 13, 14.
        // run lengths: 1, 2, 0, 1, 2, 3, 4 → breach where run ≥ 3: indexes 5 and 6.
        var flags = ExceedanceDetector.Breaches(Minutely(11, 12, 9, 11, 12, 13, 14), Rule(LimitKind.Consecutive, 10, count: 3));
        Assert.Equal([false, false, false, false, false, true, true], flags);
    }

    [Fact]
    public void An_episode_spans_breaches_and_ends_only_after_the_clearing_time_under_the_limit()
    {
        // limit 100, clear after 3 min. minute: value (breach?)
        //  0: 120 (y) start episode A;  1: 90 (n) clearing since m1;  2: 130 (y) clearing reset — still A;
        //  3: 90, 4: 90, 5: 90 → m5 − m3 = 2 min < 3, still running; 6: 90 → m6 − m3 = 3 ≥ 3 → A ends at m3.
        //  7: 150 (y) → episode B starts, never clears → running.
        var episodes = ExceedanceDetector.Episodes(Minutely(120, 90, 130, 90, 90, 90, 90, 150), Rule(LimitKind.Instant, 100), TimeSpan.FromMinutes(3));
        Assert.Equal(2, episodes.Count);
        Assert.Equal(new Episode(T0, T0.AddMinutes(2), 130, T0.AddMinutes(3)), episodes[0]);
        Assert.Equal(new Episode(T0.AddMinutes(7), T0.AddMinutes(7), 150, null), episodes[1]);
    }

    [Fact]
    public void Readings_before_the_judging_point_are_context_only()
    {
        // Average over 3 min, limit 50, values 90, 90, 10, 10 at m0..m3. Judged alone from m2, m2's own window
        // (m0..m2) = (90+90+10)/3 = 63.3 > 50 → breach; m3 = (90+10+10)/3 = 36.7 → no. Without context m0, m1 are
        // not judged, so the episode starts at m2, not at m0.
        var episodes = ExceedanceDetector.Episodes(Minutely(90, 90, 10, 10), Rule(LimitKind.RollingAverage, 50, window: 3), TimeSpan.FromHours(1), T0.AddMinutes(2));
        var e = Assert.Single(episodes);
        Assert.Equal(T0.AddMinutes(2), e.StartedAt);
    }

    [Fact]
    public void Reconciling_the_same_history_twice_opens_nothing_new()
    {
        var series = Minutely(120, 130, 90);
        var rule = Rule(LimitKind.Instant, 100);
        var first = EpisodeReconciler.Reconcile([], ExceedanceDetector.Episodes(series, rule, TimeSpan.FromMinutes(30)));
        var opened = Assert.Single(first.Opened);
        var stored = new StoredEpisode(Guid.NewGuid(), opened.StartedAt, opened.LastBreachAt, opened.PeakValue, opened.EndedAt);

        // Later readings of the same episode, re-evaluated: 140 at m3 keeps it running — an update, not a new one.
        var again = EpisodeReconciler.Reconcile([stored], ExceedanceDetector.Episodes(Minutely(120, 130, 90, 140), rule, TimeSpan.FromMinutes(30)));
        Assert.Empty(again.Opened);
        var (_, after) = Assert.Single(again.Updated);
        Assert.Equal(T0.AddMinutes(3), after.LastBreachAt);
        Assert.Equal(140, after.PeakValue);
    }

    [Fact]
    public void Limit_rules_refuse_nonsense()
    {
        Assert.Equal("pollutant", LimitRule.Problem("XYZ", LimitKind.Instant, 1, null, null)?.Field);
        Assert.Equal("limit", LimitRule.Problem("COD", LimitKind.Instant, double.NaN, null, null)?.Field);
        Assert.Equal("windowMinutes", LimitRule.Problem("COD", LimitKind.RollingAverage, 1, null, null)?.Field);
        Assert.Equal("consecutiveCount", LimitRule.Problem("COD", LimitKind.Consecutive, 1, null, 1)?.Field);
        Assert.Null(LimitRule.Problem("cod", LimitKind.Consecutive, 1, null, 3));
    }
}
