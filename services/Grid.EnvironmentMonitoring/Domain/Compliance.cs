namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>巡查 (a township's environmental patrol) or 现场检查 (a village's on-site check of one source).</summary>
public static class PatrolKinds
{
    public const string Patrol = "patrol";
    public const string OnSiteCheck = "onsite-check";
}

/// <summary>A patrol or check as recorded (巡查记录 / 现场检查记录).</summary>
public sealed record PatrolRecord(Guid Id, string Kind, string GridId, string[] GridPath, string Person, Guid? SourceId, DateTimeOffset At, bool ProblemFound, Guid? CaseId);

/// <summary>A source as the compliance view needs it.</summary>
public sealed record SourceInGrid(Guid Id, string Name, string[] GridPath);

/// <summary>The required frequencies (docs/domain.md §5): townships ≥ 1 patrol a month; villages ≥ 2 on-site checks a month of every source.</summary>
public sealed record FrequencyRules(int TownshipDepth, int VillageDepth, int TownshipPatrolsPerMonth, int VillageChecksPerSource);

/// <summary>One grid's duty for the month: required against done, who did it, what is still owed.</summary>
public sealed record GridCompliance(
    string GridId, string Level, int Required, int Done, bool Met,
    IReadOnlyDictionary<string, int> DoneByPerson, IReadOnlyList<OwedCheck> Overdue);

/// <summary>A source that did not get its checks: how many it had of how many.</summary>
public sealed record OwedCheck(Guid SourceId, string SourceName, int Done, int Required);

/// <summary>
/// 台账考核: patrol and check compliance per grid for one month, from the records alone. Township grids are the
/// grid path's entries at <see cref="FrequencyRules.TownshipDepth"/>, villages at <see cref="FrequencyRules.VillageDepth"/>;
/// a check counts towards its source once per required check (three checks of one source do not cover another).
/// </summary>
public static class ComplianceCalculator
{
    public static IReadOnlyList<GridCompliance> ForMonth(
        IReadOnlyList<SourceInGrid> sources, IReadOnlyList<PatrolRecord> records, FrequencyRules rules, DateTimeOffset monthStart)
    {
        var monthEnd = monthStart.AddMonths(1);
        var inMonth = records.Where(r => r.At >= monthStart && r.At < monthEnd).ToList();
        var result = new List<GridCompliance>();

        var townships = sources.Select(s => At(s.GridPath, rules.TownshipDepth))
            .Concat(inMonth.Select(r => At(r.GridPath, rules.TownshipDepth)))
            .OfType<string>().Distinct().Order(StringComparer.Ordinal);
        foreach (var t in townships)
        {
            var patrols = inMonth.Where(r => r.Kind == PatrolKinds.Patrol && At(r.GridPath, rules.TownshipDepth) == t).ToList();
            result.Add(new GridCompliance(t, "township", rules.TownshipPatrolsPerMonth, patrols.Count,
                patrols.Count >= rules.TownshipPatrolsPerMonth, ByPerson(patrols), []));
        }

        var villages = sources.Select(s => At(s.GridPath, rules.VillageDepth)).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        foreach (var v in villages)
        {
            var here = sources.Where(s => At(s.GridPath, rules.VillageDepth) == v).ToList();
            var checks = inMonth.Where(r => r.Kind == PatrolKinds.OnSiteCheck && r.SourceId is not null && here.Any(s => s.Id == r.SourceId)).ToList();
            var owed = new List<OwedCheck>();
            var done = 0;
            foreach (var s in here)
            {
                var n = checks.Count(c => c.SourceId == s.Id);
                done += Math.Min(n, rules.VillageChecksPerSource);
                if (n < rules.VillageChecksPerSource)
                {
                    owed.Add(new OwedCheck(s.Id, s.Name, n, rules.VillageChecksPerSource));
                }
            }

            var required = here.Count * rules.VillageChecksPerSource;
            result.Add(new GridCompliance(v, "village", required, done, done >= required, ByPerson(checks), owed));
        }

        return result;
    }

    private static Dictionary<string, int> ByPerson(IEnumerable<PatrolRecord> records) =>
        records.GroupBy(r => r.Person).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The grid at a depth (1 = root) of a path, or null when the path is shorter.</summary>
    public static string? At(string[] path, int depth) => path.Length >= depth ? path[depth - 1] : null;
}
