namespace Grid.CadreSupervision.Domain;

/// <summary>Everything configurable under <c>Cadre:</c>, with the sources' figures as defaults (README: rules).</summary>
public sealed class CadreOptions
{
    public const string Section = "Cadre";

    /// <summary>四圈: the checklists of the four circles, circle → items. The seed's items are the defaults.</summary>
    public Dictionary<string, string[]> Circles { get; set; } = FourCircles.Defaults();

    public WarningRules Warnings { get; set; } = new();

    public AccountabilityRules Accountability { get; set; } = new();

    public ReportRules Reports { get; set; } = new();

    public MonthlyReporting Monthly { get; set; } = new();

    public GroupRules Groups { get; set; } = new();

    public EvaluationRules Evaluation { get; set; } = new();
}
