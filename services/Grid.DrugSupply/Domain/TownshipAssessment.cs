namespace Grid.DrugSupply.Domain;

/// <summary>
/// The <c>Drugs:Assessment</c> section: the weights of the quarterly township assessment (季度考核), out of their sum
/// (100 by default).
/// </summary>
public sealed class AssessmentWeights
{
    /// <summary>两网 coverage: the mean of the township's coverage indicators that have something to count.</summary>
    public decimal Coverage { get; set; } = 30;

    /// <summary>Daily inspections done against the plans.</summary>
    public decimal Inspections { get; set; } = 30;

    /// <summary>Rectifications closed by their deadline, of those closed or past it.</summary>
    public decimal Rectifications { get; set; } = 20;

    /// <summary>The two kinds of staff's assessment scores in the quarter.</summary>
    public decimal Staff { get; set; } = 20;
}

/// <summary>One part of a township's score: its rate (0–1; null when there was nothing to measure), weight and points.</summary>
public sealed record ScorePart(decimal? Rate, decimal Weight, decimal Points);

/// <summary>A township's quarterly assessment: each part and the score out of 100.</summary>
public sealed record TownshipScore(string GridId, string Name, ScorePart Coverage, ScorePart Inspections, ScorePart Rectifications, ScorePart Staff, decimal Score);

/// <summary>
/// 乡镇季度考核, pure: score = 100 × Σ weight × rate ÷ Σ weight over the parts that have something to measure (a
/// township with no rectifications ordered is neither rewarded nor punished for them). Rates: coverage = mean of the
/// coverage indicators' percentages; inspections = done ÷ required; rectifications = closed on time ÷ (closed + past
/// their deadline); staff = mean assessment score ÷ 100. Rounded to one decimal at the end.
/// </summary>
public sealed class TownshipAssessor(AssessmentWeights weights)
{
    public TownshipScore Score(string gridId, string name, CoverageRow coverage, ComplianceTotals inspections, int rectificationsOnTime, int rectificationsSettled, IReadOnlyCollection<decimal> staffScores)
    {
        var percents = coverage.All.Select(i => i.Percent).OfType<decimal>().ToList();
        decimal? coverageRate = percents.Count == 0 ? null : percents.Average() / 100m;
        decimal? inspectionRate = inspections.Required == 0 ? null : (decimal)inspections.Done / inspections.Required;
        decimal? rectificationRate = rectificationsSettled == 0 ? null : (decimal)rectificationsOnTime / rectificationsSettled;
        decimal? staffRate = staffScores.Count == 0 ? null : staffScores.Average() / 100m;
        var parts = new[] { (coverageRate, weights.Coverage), (inspectionRate, weights.Inspections), (rectificationRate, weights.Rectifications), (staffRate, weights.Staff) };
        var measured = parts.Where(p => p.Item1 is not null).Sum(p => p.Item2);
        ScorePart Part(decimal? rate, decimal weight) =>
            new(rate is { } r ? Math.Round(r, 4) : null, weight, rate is { } x && measured > 0 ? Math.Round(100m * weight * x / measured, 2) : 0);
        var score = measured == 0 ? 0 : Math.Round(parts.Where(p => p.Item1 is not null).Sum(p => 100m * p.Item2 * p.Item1!.Value) / measured, 1);
        return new TownshipScore(gridId, name, Part(coverageRate, weights.Coverage), Part(inspectionRate, weights.Inspections),
            Part(rectificationRate, weights.Rectifications), Part(staffRate, weights.Staff), score);
    }
}
