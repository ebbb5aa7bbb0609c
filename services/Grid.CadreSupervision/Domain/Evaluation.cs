namespace Grid.CadreSupervision.Domain;

/// <summary>亮承诺 A cadre's public commitment for a year, with the half-year progress (践诺推进) noted against it.</summary>
public sealed class Commitment
{
    public Guid Id { get; set; }

    public Guid CadreId { get; set; }

    public int Year { get; set; }

    public string Text { get; set; } = "";

    public string? Progress { get; set; }

    public string RecordedBy { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>民评 One rater's verdict at the year-end evaluation: a score 1–5 or 满意/基本满意/不满意.</summary>
public sealed class ResidentEvaluation
{
    public Guid Id { get; set; }

    public Guid CadreId { get; set; }

    public int Year { get; set; }

    /// <summary>resident (普通群众), representative (两代表一委员), service-user (服务对象).</summary>
    public string RaterKind { get; set; } = "";

    public int? Score { get; set; }

    /// <summary>satisfied, basic, dissatisfied.</summary>
    public string? Rating { get; set; }

    public string RecordedBy { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>单位考评 The employing unit's own assessment of the cadre for the year, 0–100.</summary>
public sealed class UnitAssessment
{
    public Guid CadreId { get; set; }

    public int Year { get; set; }

    public decimal Score { get; set; }

    public string RecordedBy { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}
