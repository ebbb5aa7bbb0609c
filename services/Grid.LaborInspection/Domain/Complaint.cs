namespace Grid.LaborInspection.Domain;

/// <summary>
/// 投诉/举报: labor's side of a complaint case (the case itself, its life cycle and the sealed complainant are
/// Casework's): the employer, the law's working-day clock, and what the complaint is about.
/// </summary>
public sealed class Complaint
{
    /// <summary>The Casework case id.</summary>
    public Guid CaseId { get; set; }

    public Guid EmployerId { get; set; }

    public string[] GridPath { get; set; } = [];

    /// <summary>village (协管员 took it) or hotline (12333).</summary>
    public string Channel { get; set; } = "";

    public DateOnly ReceivedOn { get; set; }

    /// <summary>受理决定期限.</summary>
    public DateOnly AcceptBy { get; set; }

    public DateOnly? AcceptedOn { get; set; }

    /// <summary>办结期限 (from acceptance, with the extension when approved).</summary>
    public DateOnly? FinishBy { get; set; }

    public int Extensions { get; set; }

    public string? ExtensionApprovedBy { get; set; }

    public DateOnly? FinishedOn { get; set; }

    /// <summary>When the violation ended; null while it goes on (e.g. wages still unpaid).</summary>
    public DateOnly? ViolationEndedOn { get; set; }

    /// <summary>Why it was not accepted (不予受理), e.g. the 2-year rule.</summary>
    public string? RefusedReason { get; set; }

    /// <summary>Workers concerned.</summary>
    public int Workers { get; set; }

    /// <summary>Why the case went to the district at once (many workers or a large sum); null for an ordinary dispute.</summary>
    public string? MajorReason { get; set; }

    /// <summary>Wages owed as claimed (元), when the complaint is about wages.</summary>
    public decimal? AmountClaimed { get; set; }
}

/// <summary>超期记录: a legal deadline of a complaint that passed with the step not taken.</summary>
public sealed class ComplaintBreach
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    /// <summary>accept or finish.</summary>
    public string Step { get; set; } = "";

    public DateOnly Deadline { get; set; }

    public string[] GridPath { get; set; } = [];

    public DateTimeOffset RecordedAt { get; set; }
}
