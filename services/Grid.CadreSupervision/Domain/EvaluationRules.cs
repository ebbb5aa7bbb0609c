namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 双向考评: the residents' evaluation (民评) and the unit's own assessment combined into one result per cadre, and per
/// unit the mean of its cadres' results, for selection and promotion. Everything on a 0–100 scale: a score 1–5 counts
/// <see cref="PointsPerScore"/> a point, a rating its configured points; each rater kind's mean is weighted (weights of
/// kinds without a verdict are shared among the others); the two sides are weighted. Plain rules, no I/O.
/// </summary>
public sealed class EvaluationRules
{
    public static readonly string[] RaterKinds = ["resident", "representative", "service-user"];

    public decimal PointsPerScore { get; set; } = 20m;

    public Dictionary<string, decimal> RatingPoints { get; set; } = new() { ["satisfied"] = 100m, ["basic"] = 60m, ["dissatisfied"] = 0m };

    /// <summary>Within 民评: residents, the two representatives and one member (两代表一委员), service users.</summary>
    public Dictionary<string, decimal> RaterWeights { get; set; } = new() { ["resident"] = 0.5m, ["representative"] = 0.3m, ["service-user"] = 0.2m };

    /// <summary>The residents' side of the combined result; the unit's side is the rest.</summary>
    public decimal ResidentsWeight { get; set; } = 0.4m;

    public decimal PointsOf(ResidentEvaluation e) =>
        e.Score is { } s ? s * PointsPerScore : RatingPoints.GetValueOrDefault(e.Rating ?? "", 0m);

    /// <summary>民评 on 0–100, or null without any verdict.</summary>
    public decimal? Residents(IEnumerable<ResidentEvaluation> verdicts)
    {
        var byKind = verdicts.GroupBy(v => v.RaterKind).Select(g => (Weight: RaterWeights.GetValueOrDefault(g.Key, 0m), Mean: g.Average(PointsOf)))
            .Where(k => k.Weight > 0).ToList();
        var total = byKind.Sum(k => k.Weight);
        return total == 0 ? null : Math.Round(byKind.Sum(k => k.Weight * k.Mean) / total, 2);
    }

    /// <summary>The combined result, or null when either side is missing.</summary>
    public decimal? Combined(decimal? residents, decimal? unit) =>
        residents is { } r && unit is { } u ? Math.Round(ResidentsWeight * r + (1 - ResidentsWeight) * u, 2) : null;

    public IEnumerable<string> Check()
    {
        if (ResidentsWeight is < 0 or > 1)
        {
            yield return "Cadre:Evaluation:ResidentsWeight must be between 0 and 1";
        }

        if (RaterWeights.Values.Any(w => w < 0))
        {
            yield return "Cadre:Evaluation:RaterWeights must not be negative";
        }
    }
}
