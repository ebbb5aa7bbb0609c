namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 问责: missed deadlines from every domain counted per responsible person or unit over a period (a calendar month), and
/// the measures the sources name proposed when a count reaches a threshold — 通报批评 (criticism), 诫勉谈话
/// (admonishment), 一票否决 (veto in the year's assessment). 责任倒查 (trace-back) is proposed by hand for an accident.
/// Nothing is imposed: the discipline commission confirms or dismisses each proposal with a reason.
/// </summary>
public sealed class AccountabilityRules
{
    public const string Criticism = "criticism";
    public const string Admonishment = "admonishment";
    public const string Veto = "veto";
    public const string TraceBack = "trace-back";

    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>
    {
        [Criticism] = "通报批评",
        [Admonishment] = "诫勉谈话",
        [Veto] = "一票否决",
        [TraceBack] = "责任倒查",
    };

    /// <summary>Measure → breaches in one month that propose it.</summary>
    public Dictionary<string, int> Thresholds { get; set; } = new() { [Criticism] = 1, [Admonishment] = 3, [Veto] = 5 };

    /// <summary>The period a breach counts in: its month in China time (yyyy-MM).</summary>
    public static string PeriodOf(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The measures a month with <paramref name="count"/> breaches proposes.</summary>
    public IEnumerable<string> MeasuresFor(int count) =>
        Thresholds.Where(t => t.Value > 0 && count >= t.Value).OrderBy(t => t.Value).Select(t => t.Key);
}
