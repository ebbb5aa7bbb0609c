namespace Grid.LaborInspection.Domain;

/// <summary>
/// 工作日: the labor bureau's deadlines run in working days — weekends off, listed public holidays off, and
/// listed make-up working days (调休上班) on even when they fall on a weekend. The lists are configuration
/// (<c>Labor:Calendar</c>) because the State Council publishes them year by year.
/// </summary>
public sealed class WorkingCalendar
{
    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _workingWeekends;

    public WorkingCalendar(IEnumerable<DateOnly>? holidays = null, IEnumerable<DateOnly>? workingWeekends = null)
    {
        _holidays = [.. holidays ?? []];
        _workingWeekends = [.. workingWeekends ?? []];
    }

    public bool IsWorkingDay(DateOnly day) =>
        _workingWeekends.Contains(day) || (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(day));

    /// <summary>
    /// The day <paramref name="days"/> working days after <paramref name="start"/>: the start day itself does not
    /// count (a period "within N days" begins the next day), and the deadline is a working day.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly start, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var day = start;
        for (var left = days; left > 0;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                left--;
            }
        }

        return day;
    }

    /// <summary>Working days from <paramref name="start"/> (excluded) to <paramref name="end"/> (included).</summary>
    public int WorkingDaysBetween(DateOnly start, DateOnly end)
    {
        var n = 0;
        for (var day = start.AddDays(1); day <= end; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                n++;
            }
        }

        return n;
    }
}
