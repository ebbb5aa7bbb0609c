using Grid.Messaging;

namespace Grid.Casework.Tests;

/// <summary>The relay's low-water mark: where its poll may start without passing a row that is still to come.</summary>
public class OutboxFloorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Full = TimeSpan.FromSeconds(30);

    [Fact]
    public void Starting_out_the_relay_polls_everything_then_from_below_its_first_pending_row()
    {
        var floor = new OutboxFloor(Gap, Full);
        Assert.Equal(0, floor.Bound(T0));

        floor.Record(0, [101, 102, 103], [101, 102, 103], T0);

        Assert.Equal(103, floor.Value);
        Assert.Equal(103, floor.Bound(T0.AddSeconds(1)));
    }

    [Fact]
    public void A_number_missing_below_a_published_one_holds_the_floor_until_it_comes()
    {
        var floor = new OutboxFloor(Gap, Full);
        floor.Record(0, [10], [10], T0);

        // 11 is still in flight when 12 and 13 commit: the floor stays at 10, so the next poll still finds 11.
        floor.Record(10, [12, 13], [12, 13], T0.AddMilliseconds(10));
        Assert.Equal(10, floor.Value);

        floor.Record(10, [11], [11], T0.AddMilliseconds(20));
        Assert.Equal(13, floor.Value);
    }

    [Fact]
    public void A_number_never_used_is_passed_after_the_gap_timeout()
    {
        var floor = new OutboxFloor(Gap, Full);
        floor.Record(0, [10], [10], T0);
        floor.Record(10, [12], [12], T0.AddSeconds(1)); // 11 rolled back

        floor.Record(10, [], [], T0.AddSeconds(5.9));
        Assert.Equal(10, floor.Value);

        floor.Record(10, [], [], T0.AddSeconds(6));
        Assert.Equal(12, floor.Value);
    }

    [Fact]
    public void A_row_that_failed_to_publish_holds_the_floor_however_long_it_takes()
    {
        var floor = new OutboxFloor(Gap, Full);
        floor.Record(0, [10], [10], T0);

        floor.Record(10, [11, 12], [12], T0.AddSeconds(1));
        floor.Record(10, [11], [], T0.AddMinutes(5));
        Assert.Equal(10, floor.Value);

        floor.Record(10, [11], [11], T0.AddMinutes(6));
        Assert.Equal(12, floor.Value);
    }

    [Fact]
    public void A_row_that_never_publishes_holds_the_floor_and_what_is_remembered_above_it_stays_bounded()
    {
        var floor = new OutboxFloor(Gap, Full, maxTracked: 100);
        floor.Record(0, [10], [10], T0);

        // 11 fails on every poll while everything after it goes out, 20 rows a poll.
        var now = T0;
        for (long first = 12; first < 1000; first += 20)
        {
            now = now.AddSeconds(1);
            var bound = floor.Bound(now);
            var above = Enumerable.Range(0, 20).Select(i => first + i).ToList();
            floor.Record(bound, [11, .. above], bound == 0 ? [.. above] : above, now);
            Assert.True(floor.Value <= 10, $"floor {floor.Value} passed the failing row 11");
        }

        // Once 11 goes out the mark climbs past everything published meanwhile: the 100 numbers it remembered at
        // once, the rest a window at a time as they pass as missing (published, so never fetched) after the gap timeout.
        now = now.AddSeconds(1);
        floor.Record(floor.Bound(now), [11], [11], now);
        Assert.Equal(110, floor.Value);
        for (var i = 0; i < 60 && floor.Value < 1011; i++)
        {
            now = now.AddSeconds(1);
            floor.Record(floor.Bound(now), [], [], now);
        }

        Assert.Equal(1011, floor.Value); // the highest number published (992 + 19)
    }

    [Fact]
    public void A_full_poll_comes_round_again_for_rows_that_committed_after_the_gap_timeout()
    {
        var floor = new OutboxFloor(Gap, Full);
        floor.Record(0, [10], [10], T0);
        Assert.Equal(10, floor.Bound(T0.AddSeconds(29)));
        Assert.Equal(0, floor.Bound(T0.AddSeconds(30)));

        // The full poll finds a straggler below the floor and publishes it; the floor does not move back.
        floor.Record(0, [7, 11], [7, 11], T0.AddSeconds(30));
        Assert.Equal(11, floor.Value);
        Assert.Equal(11, floor.Bound(T0.AddSeconds(31)));
    }

    [Fact]
    public void Losing_the_relay_to_another_replica_forgets_everything()
    {
        var floor = new OutboxFloor(Gap, Full);
        floor.Record(0, [10], [10], T0);
        floor.Record(10, [12], [12], T0.AddSeconds(1));

        floor.Reset();

        Assert.Equal(0, floor.Value);
        Assert.Equal(0, floor.Bound(T0.AddSeconds(2)));
    }
}
