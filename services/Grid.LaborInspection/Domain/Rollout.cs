namespace Grid.LaborInspection.Domain;

/// <summary>
/// 建档分阶段: the roll-out of 一户一档. The county's plan files employers with at least 10 workers first (by the end of
/// March), then every employer (by the end of December), against the count the township's survey found (摸底). Phases,
/// thresholds, dates and targets are configuration; the defaults are the plan's.
/// </summary>
public sealed class RolloutRules
{
    public List<RolloutPhase> Phases { get; set; } =
    [
        new() { Name = "10人以上用人单位建档", MinHeadcount = 10, DueMonth = 3, DueDay = 31, TargetPercent = 100 },
        new() { Name = "全部用人单位建档", MinHeadcount = 0, DueMonth = 12, DueDay = 31, TargetPercent = 100 },
    ];
}

/// <summary>One phase: employers of at least <see cref="MinHeadcount"/> workers filed by the due day of the year.</summary>
public sealed class RolloutPhase
{
    public string Name { get; set; } = "";

    public int MinHeadcount { get; set; }

    public int DueMonth { get; set; } = 12;

    public int DueDay { get; set; } = 31;

    public decimal TargetPercent { get; set; } = 100;

    /// <summary>The phase's due day in <paramref name="year"/>.</summary>
    public DateOnly DueIn(int year) => new(year, DueMonth, Math.Min(DueDay, DateTime.DaysInMonth(year, DueMonth)));
}

/// <summary>摸底: how many employers the survey of a grid found, in all and with at least 10 workers.</summary>
public sealed class RolloutBaseline
{
    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public int Employers { get; set; }

    public int EmployersWithTenOrMore { get; set; }

    public string UpdatedBy { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A phase's progress in one grid: files against the survey's count.</summary>
public sealed record RolloutProgress(string Phase, int MinHeadcount, DateOnly Due, int Filed, int Surveyed, decimal? Percent, decimal Target, bool? Met, bool Overdue)
{
    /// <summary>
    /// <paramref name="headcounts"/>: the workers of each employer on file in the grid. The survey's count for a phase is
    /// the ten-or-more count when the phase starts at ten or more workers, else the whole count; no survey, no percentage.
    /// </summary>
    public static RolloutProgress Of(RolloutPhase phase, IReadOnlyCollection<int> headcounts, int? surveyedAll, int? surveyedTenOrMore, DateOnly today)
    {
        var filed = headcounts.Count(h => h >= phase.MinHeadcount);
        var surveyed = (phase.MinHeadcount >= 10 ? surveyedTenOrMore : surveyedAll) ?? 0;
        decimal? percent = surveyed == 0 ? null : Math.Round(100m * Math.Min(filed, surveyed) / surveyed, 1);
        bool? met = percent is { } p ? p >= phase.TargetPercent : null;
        var due = phase.DueIn(today.Year);
        return new RolloutProgress(phase.Name, phase.MinHeadcount, due, filed, surveyed, percent, phase.TargetPercent, met, met == false && today > due);
    }
}
