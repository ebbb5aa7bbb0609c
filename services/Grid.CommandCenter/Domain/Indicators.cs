namespace Grid.CommandCenter.Domain;

/// <summary>Period granularity of indicators: 日报周查月考核 (daily report, weekly check, monthly assessment).</summary>
public enum IndicatorPeriod
{
    Day,
    Week,
    Month,
}

/// <summary>
/// 考核指标: the counts behind the command centre's indicators for one group (grid, department or domain)
/// and one period, and the rates derived from them. Definitions (README "Indicators"):
/// due = cases settled in the period: closed in it before their deadline, or whose deadline passed in it (closed
/// or not) — each case counts once, in the period of the earlier of its deadline and its close;
/// closed / closed on time / breached are counted among those due; handled = cases first handled in the
/// period, reopened = those among them sent back (返工); handling time = report to close, over cases
/// closed in the period.
/// </summary>
public sealed record IndicatorCounts(
    string Key,
    DateTime PeriodStart,
    int Due,
    int Closed,
    int ClosedOnTime,
    int Breached,
    int Handled,
    int Reopened,
    int ClosedInPeriod,
    double? AverageHandlingHours)
{
    /// <summary>结案率 = closed / due.</summary>
    public double? CloseRate => Ratio(Closed, Due);

    /// <summary>按期结案率 = closed on time / due.</summary>
    public double? OnTimeRate => Ratio(ClosedOnTime, Due);

    /// <summary>返工率 = reopened / handled.</summary>
    public double? ReworkRate => Ratio(Reopened, Handled);

    /// <summary>延期率 = breached / due.</summary>
    public double? BreachRate => Ratio(Breached, Due);

    /// <summary>A rate with nothing to divide by is unknown, not zero: a grid with no cases is not perfect.</summary>
    public static double? Ratio(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
}

/// <summary>排名: how grids and departments are ranked.</summary>
public static class Ranking
{
    /// <summary>Points deducted from a department's score per late or missed 报到.</summary>
    public const double LateSummonsPenalty = 5;

    /// <summary>
    /// A department's score: 100 × 按期结案率 (0 when it had nothing due) minus <see cref="LateSummonsPenalty"/>
    /// for every summons it answered late or not at all after the deadline.
    /// </summary>
    public static double DepartmentScore(double? onTimeRate, int lateSummons) =>
        Math.Round(100 * (onTimeRate ?? 0) - LateSummonsPenalty * lateSummons, 2);

    /// <summary>A grid's score: 100 × 按期结案率 minus 50 × 返工率 (rework costs half as much as lateness).</summary>
    public static double GridScore(double? onTimeRate, double? reworkRate) =>
        Math.Round(100 * (onTimeRate ?? 0) - 50 * (reworkRate ?? 0), 2);
}

/// <summary>时段: the two-hour time slots the situation report groups reports by (China Standard Time).</summary>
public static class TimeSlots
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public static string Of(DateTime utc)
    {
        var h = (utc + ChinaOffset).Hour / 2 * 2;
        return $"{h:00}:00-{h + 2:00}:00";
    }
}
