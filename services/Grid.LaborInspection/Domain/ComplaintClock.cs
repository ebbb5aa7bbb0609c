namespace Grid.LaborInspection.Domain;

/// <summary>
/// 投诉处理时限 of the Labour Security Supervision Regulation (劳动保障监察条例, 2004) and its implementing rules:
/// decide whether to accept within 5 working days of receipt; finish within 60 working days of acceptance, once
/// extendable by 30 working days with the head's approval; a violation neither found nor complained of within
/// 2 years of its end is not pursued. Numbers are configurable (<c>Labor:Complaints</c>).
/// </summary>
public sealed class ComplaintRules
{
    public int AcceptWithinWorkingDays { get; set; } = 5;

    public int FinishWithinWorkingDays { get; set; } = 60;

    public int ExtensionWorkingDays { get; set; } = 30;

    public int MaxExtensions { get; set; } = 1;

    public int LimitationYears { get; set; } = 2;
}

/// <summary>The deadlines of one complaint, computed on the working calendar.</summary>
public sealed class ComplaintClock(ComplaintRules rules, WorkingCalendar calendar)
{
    public ComplaintRules Rules { get; } = rules;

    /// <summary>受理决定期限: the last day to decide whether to accept a complaint received on <paramref name="received"/>.</summary>
    public DateOnly AcceptBy(DateOnly received) => calendar.AddWorkingDays(received, Rules.AcceptWithinWorkingDays);

    /// <summary>办结期限 of a complaint accepted on <paramref name="accepted"/>, with <paramref name="extensions"/> approved.</summary>
    public DateOnly FinishBy(DateOnly accepted, int extensions = 0) =>
        calendar.AddWorkingDays(accepted, Rules.FinishWithinWorkingDays + (Math.Min(extensions, Rules.MaxExtensions) * Rules.ExtensionWorkingDays));

    public bool CanExtend(int extensionsSoFar) => extensionsSoFar < Rules.MaxExtensions;

    /// <summary>
    /// 2 年时效: null when the matter may be pursued, else the reason it is refused. A continuing violation
    /// (e.g. wages still unpaid) counts from its last day, so <paramref name="endedOn"/> is null while it goes on.
    /// </summary>
    public string? TimeBarred(DateOnly? endedOn, DateOnly received)
    {
        if (endedOn is not { } end || end.AddYears(Rules.LimitationYears) >= received)
        {
            return null;
        }

        return $"The violation ended on {end:yyyy-MM-dd}, more than {Rules.LimitationYears} years before the complaint ({received:yyyy-MM-dd}), " +
            "and was neither found nor complained of in that time (劳动保障监察条例 第二十条): it is not pursued.";
    }
}
