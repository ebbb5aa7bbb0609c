using System.Globalization;

namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 信息月报: supervisors collect every month; each township discipline commission files the month's report to the
/// county before the <see cref="DueDay"/>th of the next month (China time). A month not filed by then is a breach.
/// Plain rules, no I/O.
/// </summary>
public sealed class MonthlyReporting
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>Filed before this day of the next month (每月5日前).</summary>
    public int DueDay { get; set; } = 5;

    /// <summary>The depth (ancestor path length, the county being 1) of the grids that file: the townships' commissions.</summary>
    public int GridDepth { get; set; } = 3;

    /// <summary>How often the deadline is checked; zero turns the check off.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The moment a month's report is late: the due day of the next month, 00:00 China time.</summary>
    public DateTimeOffset DueBy(string month)
    {
        var first = DateTime.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new DateTimeOffset(first.AddMonths(1).AddDays(DueDay - 1), China).ToUniversalTime();
    }

    /// <summary>The month (yyyy-MM, China time) of an instant.</summary>
    public static string MonthOf(DateTimeOffset at) => at.ToOffset(China).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The previous month (China time), when its report is due by <paramref name="now"/>.</summary>
    public IEnumerable<string> MonthsDue(DateTimeOffset now)
    {
        var current = now.ToOffset(China);
        var month = MonthOf(new DateTimeOffset(current.Year, current.Month, 1, 0, 0, 0, China).AddMonths(-1));
        if (now >= DueBy(month))
        {
            yield return month;
        }
    }

    public static bool IsMonth(string? text) =>
        text is { Length: 7 } && DateTime.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}

/// <summary>网格监督小组: per grid, led by the grid chief, a deputy and 1–5 supervisors (limits configurable).</summary>
public sealed class GroupRules
{
    public int MinSupervisors { get; set; } = 1;

    public int MaxSupervisors { get; set; } = 5;

    /// <summary>The depth of the grids that must have a group.</summary>
    public int GridDepth { get; set; } = 3;

    /// <summary>Null when the group is within the limits, else why not.</summary>
    public string? Problem(SupervisionGroup? group) =>
        group is null ? "no supervision group"
        : group.Supervisors.Length < MinSupervisors || group.Supervisors.Length > MaxSupervisors
            ? $"{group.Supervisors.Length} supervisors, outside {MinSupervisors}–{MaxSupervisors}"
            : null;
}
