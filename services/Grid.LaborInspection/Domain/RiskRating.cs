namespace Grid.LaborInspection.Domain;

/// <summary>
/// 分类监管: the risk rating of an employer from its file — each rule that an employer breaks adds its points,
/// the sum decides the level, and the level the interval between routine inspections. Every number is
/// configurable (<c>Labor:Risk</c>); the defaults are chosen to read plainly.
/// </summary>
public sealed class RiskRules
{
    /// <summary>Points when fewer than all employees have a signed contract (劳动合同签订率 below 100 %).</summary>
    public int ContractGapPoints { get; set; } = 2;

    /// <summary>Points when fewer than all employees are in social insurance (社会保险 gap).</summary>
    public int InsuranceGapPoints { get; set; } = 2;

    /// <summary>Points when the last wage period due is not paid in full (欠薪: a period missed).</summary>
    public int WagePeriodMissedPoints { get; set; } = 4;

    /// <summary>Points per complaint in the look-back window, up to <see cref="ComplaintPointsCap"/>.</summary>
    public int PointsPerComplaint { get; set; } = 2;

    public int ComplaintPointsCap { get; set; } = 6;

    /// <summary>Points per violation found in the look-back window.</summary>
    public int PointsPerViolation { get; set; } = 3;

    /// <summary>How far back complaints and violations count.</summary>
    public int LookBackMonths { get; set; } = 12;

    /// <summary>Wages of a month are due by this day of the next month before the period counts as missed.</summary>
    public int WagePayDay { get; set; } = 15;

    /// <summary>Sum of points from which an employer is medium risk.</summary>
    public int MediumFrom { get; set; } = 2;

    /// <summary>Sum of points from which an employer is high risk.</summary>
    public int HighFrom { get; set; } = 6;

    /// <summary>Days between routine inspections by level.</summary>
    public int LowIntervalDays { get; set; } = 365;

    public int MediumIntervalDays { get; set; } = 180;

    public int HighIntervalDays { get; set; } = 30;
}

/// <summary>One reason behind a rating, as shown to the inspector.</summary>
public sealed record RiskFinding(string Rule, int Points, string Detail);

/// <summary>The rating: level, points, the reasons, and when the next routine inspection is due.</summary>
public sealed record RiskAssessment(RiskLevel Level, int Points, IReadOnlyList<RiskFinding> Findings, int IntervalDays, DateOnly NextInspectionDue);

/// <summary>Rates an employer's file. No I/O: the file and its history are handed in.</summary>
public sealed class RiskRating(RiskRules rules)
{
    public RiskRules Rules { get; } = rules;

    public RiskAssessment Rate(Employer e, IEnumerable<ComplianceRecord> history, DateOnly today)
    {
        var findings = new List<RiskFinding>();
        if (e.Headcount > 0 && e.ContractsSigned < e.Headcount)
        {
            findings.Add(new RiskFinding("contracts", Rules.ContractGapPoints,
                $"{e.ContractsSigned} of {e.Headcount} employees have a signed contract ({Percent(e.ContractsSigned, e.Headcount)} %)."));
        }

        if (e.Headcount > 0 && e.InsuranceEnrolled < e.Headcount)
        {
            findings.Add(new RiskFinding("insurance", Rules.InsuranceGapPoints,
                $"{e.InsuranceEnrolled} of {e.Headcount} employees are in social insurance ({Percent(e.InsuranceEnrolled, e.Headcount)} %)."));
        }

        if (e.Headcount > 0 && LastPeriodDue(today) is var due && (e.WagesPaidThrough is not { } paid || paid < due))
        {
            findings.Add(new RiskFinding("wages", Rules.WagePeriodMissedPoints,
                $"Wages for {due:yyyy-MM} were due by day {Rules.WagePayDay}; paid through {(e.WagesPaidThrough is { } p ? p.ToString("yyyy-MM") : "none")}."));
        }

        var since = today.AddMonths(-Rules.LookBackMonths);
        var recent = history.Where(h => h.On > since && h.On <= today).ToList();
        var complaints = recent.Count(h => h.Kind == ComplianceKind.Complaint);
        if (complaints > 0)
        {
            findings.Add(new RiskFinding("complaints", Math.Min(complaints * Rules.PointsPerComplaint, Rules.ComplaintPointsCap),
                $"{complaints} complaint(s) in the last {Rules.LookBackMonths} months."));
        }

        var violations = recent.Count(h => h.Kind == ComplianceKind.Violation);
        if (violations > 0)
        {
            findings.Add(new RiskFinding("violations", violations * Rules.PointsPerViolation,
                $"{violations} violation(s) found in the last {Rules.LookBackMonths} months."));
        }

        var points = findings.Sum(f => f.Points);
        var level = points >= Rules.HighFrom ? RiskLevel.High : points >= Rules.MediumFrom ? RiskLevel.Medium : RiskLevel.Low;
        var interval = level switch
        {
            RiskLevel.High => Rules.HighIntervalDays,
            RiskLevel.Medium => Rules.MediumIntervalDays,
            _ => Rules.LowIntervalDays,
        };
        var from = e.LastInspectedOn ?? today;
        return new RiskAssessment(level, points, findings, interval, from.AddDays(interval));
    }

    /// <summary>The latest wage month whose pay day has passed (wages of month M are due by the pay day of M+1).</summary>
    public DateOnly LastPeriodDue(DateOnly today)
    {
        var month = new DateOnly(today.Year, today.Month, 1);
        return today.Day > Rules.WagePayDay ? month.AddMonths(-1) : month.AddMonths(-2);
    }

    private static int Percent(int part, int whole) => (int)Math.Floor(100m * part / whole);
}
