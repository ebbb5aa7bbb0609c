using Grid.EnvironmentMonitoring.Domain;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>The recent stretch of a series held for judging the next batch: merging new readings, reach, trimming.</summary>
public class SeriesTailTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    private static Sample S(int minute, double value) => new(T0.AddMinutes(minute), value);

    [Fact]
    public void New_readings_are_merged_in_time_order_from_where_judging_starts()
    {
        var tail = new SeriesTail(T0, [S(0, 1), S(10, 2), S(20, 3)]);

        // A late m15 and a new m30; judging from m5 leaves m0 out.
        var series = tail.With(T0.AddMinutes(5), [S(15, 9), S(30, 4)]);

        Assert.NotNull(series);
        Assert.Equal([10, 15, 20, 30], series.Select(s => (int)(s.Time - T0).TotalMinutes));
        Assert.Equal([2, 9, 3, 4], series.Select(s => s.Value));
    }

    [Fact]
    public void A_tail_that_does_not_reach_back_far_enough_gives_nothing()
    {
        var tail = new SeriesTail(T0.AddMinutes(10), [S(0, 1), S(10, 2)]);

        Assert.Null(tail.With(T0.AddMinutes(5), [S(20, 3)]));
        // Readings before its start were never part of it.
        Assert.Equal(1, tail.Count);
        Assert.Equal([T0.AddMinutes(10), T0.AddMinutes(20)], tail.With(T0.AddMinutes(10), [S(20, 3)])!.Select(s => s.Time));
    }

    [Fact]
    public void Trimming_keeps_the_stretch_before_the_latest_reading_and_moves_the_start()
    {
        var tail = new SeriesTail(T0, Enumerable.Range(0, 13).Select(i => S(i * 10, i)));

        tail.Trim(TimeSpan.FromMinutes(60));

        Assert.Equal(T0.AddMinutes(60), tail.From);
        Assert.Equal(7, tail.Count); // m60 … m120
        Assert.Null(tail.With(T0.AddMinutes(50), []));
        Assert.Equal(7, tail.With(T0.AddMinutes(60), [])!.Count);

        // Keeping more than there is changes nothing.
        tail.Trim(TimeSpan.FromHours(5));
        Assert.Equal(T0.AddMinutes(60), tail.From);
    }
}
