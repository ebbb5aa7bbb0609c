using Grid.LaborInspection.Domain;

namespace Grid.LaborInspection.Tests;

/// <summary>The plain rules: risk rating, working calendar, the complaint clock and its 2-year rule.</summary>
public class RulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 19);

    private static Employer Compliant() => new()
    {
        Headcount = 40,
        ContractsSigned = 40,
        InsuranceEnrolled = 40,
        WagesPaidThrough = new DateOnly(2026, 10, 1),
    };

    private static ComplianceRecord Entry(ComplianceKind kind, DateOnly on) => new() { Kind = kind, On = on };

    [Fact]
    public void A_compliant_employer_is_low_risk_and_inspected_yearly()
    {
        var a = new RiskRating(new RiskRules()).Rate(Compliant(), [], Today);
        Assert.Equal(RiskLevel.Low, a.Level);
        Assert.Empty(a.Findings);
        Assert.Equal(Today.AddDays(365), a.NextInspectionDue);
    }

    [Fact]
    public void Each_gap_in_the_file_adds_its_reason_and_together_they_make_high_risk()
    {
        var rating = new RiskRating(new RiskRules());
        var e = Compliant();
        e.ContractsSigned = 39;
        var one = rating.Rate(e, [], Today);
        Assert.Equal(RiskLevel.Medium, one.Level);
        Assert.Equal("contracts", Assert.Single(one.Findings).Rule);
        Assert.Contains("97 %", one.Findings[0].Detail);
        Assert.Equal(Today.AddDays(180), one.NextInspectionDue);

        e.InsuranceEnrolled = 30;
        e.WagesPaidThrough = new DateOnly(2026, 9, 1); // October's wages were due by 15 November
        var three = rating.Rate(e, [], Today);
        Assert.Equal(RiskLevel.High, three.Level);
        Assert.Equal(["contracts", "insurance", "wages"], three.Findings.Select(f => f.Rule));
        Assert.Equal(Today.AddDays(30), three.NextInspectionDue);
    }

    [Fact]
    public void A_wage_period_counts_as_missed_only_after_its_pay_day()
    {
        var rating = new RiskRating(new RiskRules());
        var e = Compliant();
        e.WagesPaidThrough = new DateOnly(2026, 9, 1);
        Assert.Contains(rating.Rate(e, [], new DateOnly(2026, 11, 16)).Findings, f => f.Rule == "wages");
        Assert.DoesNotContain(rating.Rate(e, [], new DateOnly(2026, 11, 15)).Findings, f => f.Rule == "wages");
        e.WagesPaidThrough = null;
        Assert.Contains(rating.Rate(e, [], new DateOnly(2026, 11, 15)).Findings, f => f.Rule == "wages");
    }

    [Fact]
    public void Complaints_of_the_last_twelve_months_count_and_older_ones_do_not()
    {
        var rating = new RiskRating(new RiskRules());
        var a = rating.Rate(Compliant(), [Entry(ComplianceKind.Complaint, new DateOnly(2025, 12, 1)), Entry(ComplianceKind.Complaint, new DateOnly(2025, 11, 1))], Today);
        var complaints = Assert.Single(a.Findings);
        Assert.Equal("complaints", complaints.Rule);
        Assert.Equal(2, complaints.Points);
        Assert.Equal(RiskLevel.Medium, a.Level);

        var many = rating.Rate(Compliant(), Enumerable.Range(1, 5).Select(i => Entry(ComplianceKind.Complaint, Today.AddDays(-i))), Today);
        Assert.Equal(6, many.Points); // capped
        Assert.Equal(RiskLevel.High, many.Level);
    }

    [Fact]
    public void Rules_are_configurable()
    {
        var strict = new RiskRating(new RiskRules { ContractGapPoints = 6, HighIntervalDays = 14 });
        var e = Compliant();
        e.ContractsSigned = 39;
        var a = strict.Rate(e, [], Today);
        Assert.Equal(RiskLevel.High, a.Level);
        Assert.Equal(Today.AddDays(14), a.NextInspectionDue);
    }

    [Fact]
    public void Working_days_skip_the_weekend_and_a_listed_holiday_and_count_a_listed_working_weekend()
    {
        // Thu 2026-12-31; Fri 2027-01-01 is New Year's Day (listed); Sat and Sun off.
        var calendar = new WorkingCalendar([new DateOnly(2027, 1, 1)]);
        Assert.False(calendar.IsWorkingDay(new DateOnly(2027, 1, 1)));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2027, 1, 2)));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2027, 1, 4)));
        Assert.Equal(new DateOnly(2027, 1, 4), calendar.AddWorkingDays(new DateOnly(2026, 12, 31), 1));
        Assert.Equal(new DateOnly(2027, 1, 8), calendar.AddWorkingDays(new DateOnly(2026, 12, 31), 5));
        Assert.Equal(5, calendar.WorkingDaysBetween(new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 8)));

        // Without the listing the same five days end on Thursday.
        Assert.Equal(new DateOnly(2027, 1, 7), new WorkingCalendar().AddWorkingDays(new DateOnly(2026, 12, 31), 5));

        // A make-up working Saturday (调休上班) counts.
        var makeUp = new WorkingCalendar([new DateOnly(2027, 1, 1)], [new DateOnly(2027, 1, 2)]);
        Assert.Equal(new DateOnly(2027, 1, 2), makeUp.AddWorkingDays(new DateOnly(2026, 12, 31), 1));
    }

    [Fact]
    public void The_complaint_clock_gives_5_working_days_to_accept_60_to_finish_and_one_extension_of_30()
    {
        var clock = new ComplaintClock(new ComplaintRules(), new WorkingCalendar([new DateOnly(2027, 1, 1)]));
        Assert.Equal(new DateOnly(2027, 1, 8), clock.AcceptBy(new DateOnly(2026, 12, 31)));
        var accepted = new DateOnly(2027, 1, 4);
        var finishBy = clock.FinishBy(accepted);
        Assert.Equal(new DateOnly(2027, 3, 29), finishBy); // 60 working days: 12 weeks from Monday 4 January
        Assert.Equal(new DateOnly(2027, 5, 10), clock.FinishBy(accepted, 1));
        Assert.Equal(clock.FinishBy(accepted, 1), clock.FinishBy(accepted, 2)); // only one extension
        Assert.True(clock.CanExtend(0));
        Assert.False(clock.CanExtend(1));
    }

    [Fact]
    public void A_violation_that_ended_more_than_two_years_before_the_complaint_is_not_pursued()
    {
        var clock = new ComplaintClock(new ComplaintRules(), new WorkingCalendar());
        Assert.Null(clock.TimeBarred(new DateOnly(2024, 11, 19), Today));
        Assert.Contains("第二十条", clock.TimeBarred(new DateOnly(2024, 11, 18), Today));
        Assert.Null(clock.TimeBarred(null, Today)); // still going on
    }
}
