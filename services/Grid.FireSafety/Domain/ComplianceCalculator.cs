namespace Grid.FireSafety.Domain;

/// <summary>A person on fire duty for a grid over a time (网格责任人, fire's copy of the assignment).</summary>
public sealed record DutyHolder(string StaffId, string Name, string Role, string GridId, string GridLevel, DateOnly From, DateOnly? To);

/// <summary>A grid that grid-level frequencies bind.</summary>
public sealed record GridTarget(string GridId, string GridLevel);

/// <summary>What the calculator needs of an inspection record.</summary>
public sealed record DoneInspection(string ActorId, IReadOnlyList<string> GridPath, InspectionActivity Activity, DateTimeOffset StartedAt);

/// <summary>One calendar period of one rule for one person or grid.</summary>
public sealed record PeriodCompliance(DateOnly Start, DateOnly End, int Required, int Done, int NightRequired, int NightDone)
{
    public bool Met => Done >= Required && NightDone >= NightRequired;
}

/// <summary>One rule for one person or grid over the window.</summary>
public sealed record RuleCompliance(
    string RuleKey, RuleTarget Target, string TargetId, string? TargetName, string GridId, InspectionActivity Activity,
    IReadOnlyList<PeriodCompliance> Periods)
{
    public int Required => Periods.Sum(p => p.Required);

    public int Done => Periods.Sum(p => p.Done);

    /// <summary>Done, but no more than required in any period: extra patrols one week do not cover a missed week.</summary>
    public int Credited => Periods.Sum(p => Math.Min(p.Done, p.Required));

    public int NightRequired => Periods.Sum(p => p.NightRequired);

    public int NightDone => Periods.Sum(p => p.NightDone);

    public IEnumerable<PeriodCompliance> Overdue => Periods.Where(p => !p.Met);
}

/// <summary>
/// 考核: required versus done for each frequency rule, per person and per grid, over whole calendar periods in
/// China Standard Time. A period counts only when it lies wholly inside the window and has ended by
/// <c>now</c> (a running week is not yet overdue), and, for a person, while their duty covers all of it.
/// </summary>
public static class ComplianceCalculator
{
    /// <summary>China Standard Time, UTC+8, no daylight saving: fixed so results do not depend on the host's zone database.</summary>
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public static DateTimeOffset ToChinaTime(DateTimeOffset t) => t.ToOffset(ChinaOffset);

    public static IReadOnlyList<RuleCompliance> Compute(
        IReadOnlyList<InspectionRule> rules,
        IReadOnlyList<DutyHolder> people,
        IReadOnlyList<GridTarget> grids,
        IReadOnlyList<DoneInspection> records,
        DateOnly from,
        DateOnly to,
        DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(ToChinaTime(now).DateTime);
        var result = new List<RuleCompliance>();
        foreach (var rule in rules)
        {
            var periods = Periods(rule.Period, from, to).Where(p => p.End <= today).ToList();
            if (rule.Target == RuleTarget.Person)
            {
                foreach (var person in people.Where(p => p.Role == rule.Role && (rule.GridLevel is null || rule.GridLevel == p.GridLevel)))
                {
                    var mine = records.Where(r => r.ActorId == person.StaffId && r.Activity == rule.Activity).ToList();
                    var covered = periods.Where(p => person.From <= p.Start && (person.To is null || person.To >= p.End.AddDays(-1)));
                    result.Add(new RuleCompliance(rule.Key, rule.Target, person.StaffId, person.Name, person.GridId, rule.Activity,
                        covered.Select(p => Evaluate(rule, p, mine)).ToList()));
                }
            }
            else
            {
                foreach (var grid in grids.Where(g => g.GridLevel == rule.GridLevel))
                {
                    var inGrid = records.Where(r => r.Activity == rule.Activity && r.GridPath.Contains(grid.GridId)).ToList();
                    result.Add(new RuleCompliance(rule.Key, rule.Target, grid.GridId, null, grid.GridId, rule.Activity,
                        periods.Select(p => Evaluate(rule, p, inGrid)).ToList()));
                }
            }
        }

        return result;
    }

    private static PeriodCompliance Evaluate(InspectionRule rule, (DateOnly Start, DateOnly End) period, List<DoneInspection> records)
    {
        var inPeriod = records
            .Select(r => ToChinaTime(r.StartedAt))
            .Where(t => DateOnly.FromDateTime(t.DateTime) >= period.Start && DateOnly.FromDateTime(t.DateTime) < period.End)
            .ToList();
        var night = inPeriod.Count(t => rule.IsNight(TimeOnly.FromDateTime(t.DateTime)));
        return new PeriodCompliance(period.Start, period.End, rule.Count, inPeriod.Count, rule.NightRequired, night);
    }

    /// <summary>Calendar periods [Start, End) lying wholly inside [from, to] (both inclusive days).</summary>
    public static IEnumerable<(DateOnly Start, DateOnly End)> Periods(RulePeriod period, DateOnly from, DateOnly to)
    {
        var start = period switch
        {
            RulePeriod.Day => from,
            RulePeriod.Week => from.AddDays(-(((int)from.DayOfWeek + 6) % 7)),
            RulePeriod.Month => new DateOnly(from.Year, from.Month, 1),
            RulePeriod.TwoMonths => new DateOnly(from.Year, from.Month - ((from.Month - 1) % 2), 1),
            _ => new DateOnly(from.Year, from.Month - ((from.Month - 1) % 3), 1),
        };
        while (start <= to)
        {
            var end = period switch
            {
                RulePeriod.Day => start.AddDays(1),
                RulePeriod.Week => start.AddDays(7),
                RulePeriod.Month => start.AddMonths(1),
                RulePeriod.TwoMonths => start.AddMonths(2),
                _ => start.AddMonths(3),
            };
            if (start >= from && end.AddDays(-1) <= to)
            {
                yield return (start, end);
            }

            start = end;
        }
    }
}
