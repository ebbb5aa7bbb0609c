namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 重要情况随时上报: a resident's report of an important matter goes to the county discipline commission at once instead of
/// waiting for the township's monthly report. A report is important when the recorder says so or when its severity ranks at
/// or above <see cref="StraightToCountyAt"/>; an important report is opened as Casework's major case, which goes to the top
/// of the grid chain (the county) when it is reported. Plain rules, no I/O.
/// </summary>
public sealed class ReportRules
{
    /// <summary>The lowest severity (general, serious, major, emergency) that goes to the county at once.</summary>
    public string StraightToCountyAt { get; set; } = "major";

    /// <summary>Whether a report of <paramref name="severity"/> (ranked by <paramref name="severities"/>, lowest first) is important.</summary>
    public bool IsImportant(string severity, bool flagged, IReadOnlyList<string> severities)
    {
        var at = IndexOf(severities, StraightToCountyAt);
        return flagged || (at >= 0 && IndexOf(severities, severity) >= at);
    }

    /// <summary>The configuration's mistakes, if any, against Casework's severities.</summary>
    public IEnumerable<string> Check(IReadOnlyList<string> severities)
    {
        if (IndexOf(severities, StraightToCountyAt) < 0)
        {
            yield return $"Cadre:Reports:StraightToCountyAt must be one of {string.Join(", ", severities)}";
        }
    }

    private static int IndexOf(IReadOnlyList<string> severities, string severity)
    {
        for (var i = 0; i < severities.Count; i++)
        {
            if (string.Equals(severities[i], severity, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
