namespace Grid.LaborInspection.Domain;

/// <summary>One employer in the inspection plan (巡视检查计划) of a period: what its rating asks and what was done.</summary>
public sealed record PlanLine(
    Guid EmployerId, string Name, string GridId, RiskLevel Risk, int IntervalDays, DateOnly? LastInspectedOn, DateOnly NextInspectionDue,
    bool Overdue, int Required, int Done);

/// <summary>
/// 巡视检查计划: how many routine inspections an employer's rating asks for in a period and whether it is overdue. Due
/// dates run from the last inspection before the period (or the day the file was opened) every interval of its risk
/// level; a visit already overdue when the period starts is due on its first day. No I/O.
/// </summary>
public sealed class InspectionPlan(RiskRules rules)
{
    public int IntervalOf(RiskLevel level) => level switch
    {
        RiskLevel.High => rules.HighIntervalDays,
        RiskLevel.Medium => rules.MediumIntervalDays,
        _ => rules.LowIntervalDays,
    };

    /// <summary>Inspections due in [from, to] for an employer last inspected on <paramref name="anchor"/> (before the period).</summary>
    public int Required(RiskLevel level, DateOnly anchor, DateOnly from, DateOnly to)
    {
        var interval = Math.Max(1, IntervalOf(level));
        var first = anchor.AddDays(interval);
        if (first < from)
        {
            first = from;
        }

        return first > to ? 0 : 1 + ((to.DayNumber - first.DayNumber) / interval);
    }

    public PlanLine Line(Employer e, DateOnly? lastBefore, int done, DateOnly from, DateOnly to, DateOnly today)
    {
        var anchor = lastBefore ?? DateOnly.FromDateTime(e.CreatedAt.ToOffset(LaborDay.Offset).DateTime);
        return new PlanLine(e.Id, e.Name, e.GridId, e.Risk, IntervalOf(e.Risk), e.LastInspectedOn, e.NextInspectionDue,
            e.NextInspectionDue < today, Required(e.Risk, anchor, from, to), done);
    }
}
