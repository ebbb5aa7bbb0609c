using Grid.CommandCenter.Infrastructure;

namespace Grid.CommandCenter.Domain;

/// <summary>One line of a comparison: this month against the previous one.</summary>
public sealed record TrendLine(string Key, int Count, int Previous)
{
    /// <summary>Change in percent; null when the previous month had none.</summary>
    public double? ChangePercent => Previous == 0 ? null : Math.Round(100.0 * (Count - Previous) / Previous, 1);
}

public sealed record DomainLine(string Domain, int Reported, int PreviousReported, int Closed, int Overdue, int Listed)
{
    public double? ChangePercent => PreviousReported == 0 ? null : Math.Round(100.0 * (Reported - PreviousReported) / PreviousReported, 1);
}

/// <summary>
/// 月度形势分析 (分析研判): a month's cases per domain and grid, compared with the previous month, with hot
/// spots by category (place or case kind) and two-hour time slot, and early warnings (预警) where a hot
/// spot grows sharply, so patrol groups know which places, areas and hours to watch.
/// </summary>
public sealed record SituationReport(
    string Month,
    string? Grid,
    string? Domain,
    int Reported,
    int PreviousReported,
    IReadOnlyList<DomainLine> Domains,
    IReadOnlyList<TrendLine> Categories,
    IReadOnlyList<TrendLine> TimeSlots,
    IReadOnlyList<TrendLine> Grids,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A hot spot warns when it has at least this many cases ...</summary>
    public const int WarningMinimum = 3;

    /// <summary>... and grew by at least this much against the previous month (or is new).</summary>
    public const double WarningGrowthPercent = 50;

    public static SituationReport Build(string month, string? grid, string? domain,
        IReadOnlyList<CaseRow> current, IReadOnlyList<CaseRow> previous)
    {
        // Grid hot spots one level below the grid asked for (or the top level).
        string ChildOf(CaseRow c)
        {
            if (grid is null)
            {
                return c.GridPath.FirstOrDefault() ?? c.GridId;
            }

            var i = Array.IndexOf(c.GridPath, grid);
            return i >= 0 && i + 1 < c.GridPath.Length ? c.GridPath[i + 1] : c.GridId;
        }

        var domains = current.Select(c => c.Domain).Concat(previous.Select(c => c.Domain)).Distinct().Order()
            .Select(d => new DomainLine(d,
                current.Count(c => c.Domain == d), previous.Count(c => c.Domain == d),
                current.Count(c => c.Domain == d && c.ClosedAt is not null),
                current.Count(c => c.Domain == d && (c.BreachCount > 0 || c.Overdue)),
                current.Count(c => c.Domain == d && c.ListedAt is not null)))
            .ToList();
        var categories = Trend(current, previous, c => string.IsNullOrEmpty(c.Category) ? "(未分类)" : c.Category!);
        var slots = Trend(current, previous, c => global::Grid.CommandCenter.Domain.TimeSlots.Of(c.ReportedAt!.Value), byKey: true);
        var grids = Trend(current, previous, ChildOf);

        var warnings = new List<string>();
        void Warn(string what, IEnumerable<TrendLine> lines)
        {
            foreach (var l in lines.Where(l => l.Count >= WarningMinimum && (l.Previous == 0 || l.ChangePercent >= WarningGrowthPercent)))
            {
                warnings.Add(l.Previous == 0
                    ? $"{what} {l.Key}: 本月 {l.Count} 起, 上月无, 新出现的热点"
                    : $"{what} {l.Key}: 本月 {l.Count} 起, 上月 {l.Previous} 起, 上升 {l.ChangePercent}%");
            }
        }

        Warn("重点类别", categories);
        Warn("重点区域", grids);
        Warn("重点时段", slots);
        return new SituationReport(month, grid, domain, current.Count, previous.Count, domains, categories, slots, grids, warnings);
    }

    static List<TrendLine> Trend(IReadOnlyList<CaseRow> current, IReadOnlyList<CaseRow> previous, Func<CaseRow, string> key, bool byKey = false)
    {
        var now = current.GroupBy(key).ToDictionary(g => g.Key, g => g.Count());
        var before = previous.GroupBy(key).ToDictionary(g => g.Key, g => g.Count());
        var lines = now.Keys.Union(before.Keys)
            .Select(k => new TrendLine(k, now.GetValueOrDefault(k), before.GetValueOrDefault(k)));
        return (byKey ? lines.OrderBy(l => l.Key, StringComparer.Ordinal) : lines.OrderByDescending(l => l.Count).ThenBy(l => l.Key, StringComparer.Ordinal)).ToList();
    }
}
