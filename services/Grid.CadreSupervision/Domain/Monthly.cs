namespace Grid.CadreSupervision.Domain;

/// <summary>《干部监督信息报告表》 A township commission's monthly report to the county.</summary>
public sealed class MonthlyReport
{
    public Guid Id { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>yyyy-MM.</summary>
    public string Month { get; set; } = "";

    public string Summary { get; set; } = "";

    public string FiledBy { get; set; } = "";

    public DateTimeOffset FiledAt { get; set; }

    /// <summary>Filed after the due moment.</summary>
    public bool Late { get; set; }
}

/// <summary>A month's report not filed by its due moment (once per grid and month).</summary>
public sealed class MonthlyBreach
{
    public Guid Id { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public string Month { get; set; } = "";

    public DateTimeOffset DueBy { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>网格监督小组 of one grid.</summary>
public sealed class SupervisionGroup
{
    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>组长 (the grid chief).</summary>
    public string Leader { get; set; } = "";

    /// <summary>副组长 (a cadre stationed in the grid).</summary>
    public string Deputy { get; set; } = "";

    /// <summary>监督员.</summary>
    public string[] Supervisors { get; set; } = [];

    public string UpdatedBy { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }
}
