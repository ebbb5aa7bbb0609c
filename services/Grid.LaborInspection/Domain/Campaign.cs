namespace Grid.LaborInspection.Domain;

/// <summary>
/// 专项检查: a campaign over a grid's subtree — e.g. the pre-Spring-Festival wage check (春节前农民工工资支付专项检查) —
/// for a period, over the employers its filter takes in; it generates one task per employer when it is created.
/// </summary>
public sealed class Campaign
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public DateOnly From { get; set; }

    public DateOnly To { get; set; }

    /// <summary>Only employers of these kinds; empty for all.</summary>
    public List<EmployerKind> Kinds { get; set; } = [];

    /// <summary>Only employers with at least this many staff (e.g. 10, as the roll-out filed first).</summary>
    public int? MinHeadcount { get; set; }

    /// <summary>Only employers rated at least this level.</summary>
    public RiskLevel? MinRisk { get; set; }

    public int Tasks { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One employer to visit in a campaign; done when an inspection is recorded against it.</summary>
public sealed class CampaignTask
{
    public Guid Id { get; set; }

    public Guid CampaignId { get; set; }

    public Guid EmployerId { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public Guid? InspectionId { get; set; }

    public DateOnly? DoneOn { get; set; }
}

/// <summary>The checks of a campaign as a person enters it, with no I/O; errors name the fields as the API spells them.</summary>
public sealed record CampaignDraft(string? Name, string? GridId, DateOnly? From, DateOnly? To, IReadOnlyList<EmployerKind>? Kinds, int? MinHeadcount, RiskLevel? MinRisk)
{
    public Dictionary<string, List<string>> Check()
    {
        var e = new Dictionary<string, List<string>>();
        void Add(string f, string m) => (e.TryGetValue(f, out var l) ? l : e[f] = []).Add(m);
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 200)
        {
            Add("name", "is required, at most 200 characters");
        }

        if (string.IsNullOrWhiteSpace(GridId))
        {
            Add("gridId", "is required: the grid whose employers the campaign covers");
        }

        if (From is null)
        {
            Add("from", "is required (yyyy-MM-dd)");
        }

        if (To is null)
        {
            Add("to", "is required (yyyy-MM-dd)");
        }
        else if (From is { } f && (To < f || To.Value.DayNumber - f.DayNumber > 366))
        {
            Add("to", "must be on or after 'from' and within a year of it");
        }

        if (Kinds is { } kinds && kinds.Any(k => !Enum.IsDefined(k)))
        {
            Add("kinds", "must be Company, IndividualBusiness or PublicUnit");
        }

        if (MinHeadcount is < 0)
        {
            Add("minHeadcount", "must not be negative");
        }

        if (MinRisk is { } r && !Enum.IsDefined(r))
        {
            Add("minRisk", "must be Low, Medium or High");
        }

        return e;
    }
}
