namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 预警书 and what follows from them: warnings are counted per cadre over <see cref="Window"/>; one warning → the unit
/// gives the cadre warning education (警告教育); three or more → the unit's head owes the county discipline commission a
/// written explanation (书面说明) within <see cref="ExplanationWithin"/>; five → the unit is named in a circular (通报) and
/// its principal leaders held accountable. Plain rules, no I/O.
/// </summary>
public sealed class WarningRules
{
    public const string Education = "warning-education";
    public const string Explanation = "written-explanation";
    public const string Circular = "circular";

    private static readonly Dictionary<string, string> Names = new()
    {
        [Education] = "警告教育",
        [Explanation] = "单位主要负责人书面说明",
        [Circular] = "通报并追究单位领导责任",
    };

    /// <summary>A unit task's kind as a ledger names it.</summary>
    public static string Chinese(string kind) => Names.GetValueOrDefault(kind, kind);

    /// <summary>How far back warnings count (累计); default one year.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(365);

    public int EducationAt { get; set; } = 1;

    public int ExplanationAt { get; set; } = 3;

    public int CircularAt { get; set; } = 5;

    /// <summary>Days the unit's head has for the written explanation.</summary>
    public int ExplanationWithinDays { get; set; } = 15;

    public TimeSpan ExplanationWithin => TimeSpan.FromDays(ExplanationWithinDays);

    /// <summary>The consequences of the warning that brings the cadre's count within the window to <paramref name="count"/>.</summary>
    public IReadOnlyList<Consequence> ConsequencesOf(int count, DateOnly issuedOn)
    {
        var list = new List<Consequence>();
        if (count >= CircularAt)
        {
            // Named once, when the count reaches the threshold; later warnings keep owing explanations.
            if (count == CircularAt)
            {
                list.Add(new Consequence(Circular, null));
            }

            list.Add(new Consequence(Explanation, issuedOn.AddDays(ExplanationWithinDays)));
        }
        else if (count >= ExplanationAt)
        {
            list.Add(new Consequence(Explanation, issuedOn.AddDays(ExplanationWithinDays)));
        }
        else if (count >= EducationAt)
        {
            list.Add(new Consequence(Education, null));
        }

        return list;
    }

    /// <summary>Errors by configuration key; the service refuses to start with any.</summary>
    public IEnumerable<string> Check()
    {
        if (Window <= TimeSpan.Zero)
        {
            yield return "Cadre:Warnings:Window must be positive";
        }

        if (EducationAt < 1 || ExplanationAt <= EducationAt || CircularAt <= ExplanationAt)
        {
            yield return "Cadre:Warnings: thresholds must rise: 1 <= EducationAt < ExplanationAt < CircularAt";
        }
    }
}

/// <summary>A task a warning puts on the unit; <see cref="DueBy"/> for those with a deadline.</summary>
public sealed record Consequence(string Kind, DateOnly? DueBy);
