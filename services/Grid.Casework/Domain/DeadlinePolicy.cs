namespace Grid.Casework.Domain;

/// <summary>
/// 时限: how long each step may take for a domain × category × severity. The texts mostly say only
/// "在规定时限内" / "限期整改", so the values are configuration (<c>Casework:Deadlines</c>) with these
/// documented defaults:
/// <list type="bullet">
/// <item>general (一般): accept within 24 h, handle within 7 days, verify within 3 days;</item>
/// <item>serious (较大): accept within 4 h, handle within 3 days, verify within 2 days;</item>
/// <item>major (重大): accept within 1 h, handle within 24 h, verify within 24 h — major cases also jump to the top of the chain;</item>
/// <item>emergency (突发): accept within 30 min ("立即报告"), handle within 24 h, verify within 24 h.</item>
/// </list>
/// A summoned department reports for duty (报到) within 2 h unless the summons says otherwise.
/// </summary>
public sealed record StepDeadlines
{
    public TimeSpan AcceptWithin { get; init; } = TimeSpan.FromHours(24);

    public TimeSpan HandleWithin { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan VerifyWithin { get; init; } = TimeSpan.FromDays(3);
}

/// <summary>One configured row of the policy table; empty Category or Severity matches any.</summary>
public sealed record DeadlineRule
{
    public string Category { get; init; } = "";

    public string Severity { get; init; } = "";

    public TimeSpan? AcceptWithin { get; init; }

    public TimeSpan? HandleWithin { get; init; }

    public TimeSpan? VerifyWithin { get; init; }
}

/// <summary>Resolves the deadlines of a case: the most specific rule wins (category+severity, then category, then severity).</summary>
public sealed class DeadlinePolicy(IEnumerable<DeadlineRule> rules)
{
    public const string General = "general";
    public const string Serious = "serious";
    public const string Major = "major";
    public const string Emergency = "emergency";

    public static readonly IReadOnlyList<DeadlineRule> DefaultRules =
    [
        new() { Severity = General, AcceptWithin = TimeSpan.FromHours(24), HandleWithin = TimeSpan.FromDays(7), VerifyWithin = TimeSpan.FromDays(3) },
        new() { Severity = Serious, AcceptWithin = TimeSpan.FromHours(4), HandleWithin = TimeSpan.FromDays(3), VerifyWithin = TimeSpan.FromDays(2) },
        new() { Severity = Major, AcceptWithin = TimeSpan.FromHours(1), HandleWithin = TimeSpan.FromHours(24), VerifyWithin = TimeSpan.FromHours(24) },
        new() { Severity = Emergency, AcceptWithin = TimeSpan.FromMinutes(30), HandleWithin = TimeSpan.FromHours(24), VerifyWithin = TimeSpan.FromHours(24) },
    ];

    public static readonly TimeSpan DefaultReportForDuty = TimeSpan.FromHours(2);

    private readonly List<DeadlineRule> _rules = [.. DefaultRules, .. rules];

    public StepDeadlines For(string category, string severity)
    {
        static bool Match(string rule, string value) => rule.Length == 0 || string.Equals(rule, value, StringComparison.OrdinalIgnoreCase);
        static int Rank(DeadlineRule r) => (r.Category.Length > 0 ? 2 : 0) + (r.Severity.Length > 0 ? 1 : 0);

        var result = new StepDeadlines();

        // Least specific first, later (more specific, or configured after defaults) rules override field by field.
        foreach (var rule in _rules.Select((r, i) => (r, i)).Where(x => Match(x.r.Category, category) && Match(x.r.Severity, severity))
                     .OrderBy(x => Rank(x.r)).ThenBy(x => x.i).Select(x => x.r))
        {
            result = result with
            {
                AcceptWithin = rule.AcceptWithin ?? result.AcceptWithin,
                HandleWithin = rule.HandleWithin ?? result.HandleWithin,
                VerifyWithin = rule.VerifyWithin ?? result.VerifyWithin,
            };
        }

        return result;
    }
}
