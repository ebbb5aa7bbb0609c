namespace Grid.LaborInspection.Domain;

/// <summary>The <c>Labor</c> configuration section: every number the texts leave to local rules, with readable defaults.</summary>
public sealed class LaborOptions
{
    public const string Section = "Labor";

    public RiskRules Risk { get; set; } = new();

    public ComplaintRules Complaints { get; set; } = new();

    public CalendarOptions Calendar { get; set; } = new();

    public ArrearsRules Arrears { get; set; } = new();

    public StaffingRules Staffing { get; set; } = new();

    public RolloutRules Rollout { get; set; } = new();

    /// <summary>The body that issues rectification orders (指令书), as printed under them.</summary>
    public string IssuerName { get; set; } = "示范县劳动保障监察大队";

    /// <summary>Largest import a request may carry, in rows.</summary>
    public int MaxImportRows { get; set; } = 5_000;

    /// <summary>How often the complaint deadlines are checked; zero turns the scan off.</summary>
    public TimeSpan DeadlineScanInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The working calendar's published days off and make-up working days (yyyy-MM-dd).</summary>
public sealed class CalendarOptions
{
    public List<DateOnly> Holidays { get; set; } = [];

    public List<DateOnly> WorkingWeekends { get; set; } = [];

    public WorkingCalendar Build() => new(Holidays, WorkingWeekends);
}
