namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 问责: lapses from every domain — missed deadlines (超期), cases closed late (逾期结案), cases reopened more than
/// <see cref="MaxReopens"/> times (反复返工), summons answered late (吹哨报到迟到) — counted per responsible person or unit
/// over a period (a calendar month), and the measures the sources name proposed when a count reaches a threshold —
/// 通报批评 (criticism), 诫勉谈话 (admonishment), 一票否决 (veto in the year's assessment). 责任倒查 (trace-back) is
/// proposed by hand for an accident. Nothing is imposed: the discipline commission confirms or dismisses each proposal.
/// </summary>
public sealed class AccountabilityRules
{
    public const string Criticism = "criticism";
    public const string Admonishment = "admonishment";
    public const string Veto = "veto";
    public const string TraceBack = "trace-back";

    public const string Breach = "breach";
    public const string ClosedLate = "closed-late";
    public const string Reopened = "reopened";
    public const string SummonsLate = "summons-late";

    /// <summary>The kinds of record, in our words and the sources'.</summary>
    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>
    {
        [Breach] = "超期",
        [ClosedLate] = "逾期结案",
        [Reopened] = "反复返工",
        [SummonsLate] = "吹哨报到迟到",
    };

    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>
    {
        [Criticism] = "通报批评",
        [Admonishment] = "诫勉谈话",
        [Veto] = "一票否决",
        [TraceBack] = "责任倒查",
    };

    /// <summary>Measure → breaches in one month that propose it.</summary>
    public Dictionary<string, int> Thresholds { get; set; } = new() { [Criticism] = 1, [Admonishment] = 3, [Veto] = 5 };

    /// <summary>A case reopened more than this many times is a record against whoever handled it (once per case).</summary>
    public int MaxReopens { get; set; } = 2;

    /// <summary>Whether a reopen with this count is the one that first passes <see cref="MaxReopens"/> or a later one.</summary>
    public bool TooManyReopens(int reopenCount) => reopenCount > MaxReopens;

    /// <summary>The period a breach counts in: its month in China time (yyyy-MM).</summary>
    public static string PeriodOf(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The measures a month with <paramref name="count"/> records (of every kind) proposes.</summary>
    public IEnumerable<string> MeasuresFor(int count) =>
        Thresholds.Where(t => t.Value > 0 && count >= t.Value).OrderBy(t => t.Value).Select(t => t.Key);
}
