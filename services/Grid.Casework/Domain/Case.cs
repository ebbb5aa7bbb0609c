namespace Grid.Casework.Domain;

/// <summary>
/// 案件: one problem in one domain, from report to close. Holds no reporter identity (that lives
/// encrypted in its own table). <see cref="GridId"/> is where it happened; <see cref="HolderGridId"/> is
/// the grid that owns it now (different after escalation).
/// </summary>
public sealed partial class Case
{
    public Guid Id { get; set; }

    public long Seq { get; set; }

    public string Number { get; set; } = "";

    public string Domain { get; set; } = "";

    public string Category { get; set; } = "";

    public string Severity { get; set; } = "";

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    /// <summary>patrol, inspection, complaint, hotline, sensor, transfer, assignment.</summary>
    public string Source { get; set; } = "";

    public string GridId { get; set; } = "";

    /// <summary>Root first, the grid itself last.</summary>
    public string[] GridPath { get; set; } = [];

    public string HolderGridId { get; set; } = "";

    public double? Longitude { get; set; }

    public double? Latitude { get; set; }

    public CaseState State { get; set; }

    /// <summary>Device time of the report (may be back-dated for offline reports).</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Server time of receipt.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The staff account that entered the report (never the confidential reporter).</summary>
    public string EnteredBy { get; set; } = "";

    public string? Assignee { get; set; }

    public string? Department { get; set; }

    /// <summary>accept, handle, verify, transfer: the step whose deadline runs now.</summary>
    public string? Step { get; set; }

    public DateTimeOffset? StepDeadline { get; set; }

    public int ReopenCount { get; set; }

    /// <summary>Some step missed its deadline (the case can no longer close on time).</summary>
    public bool Breached { get; set; }

    public string? Result { get; set; }

    public Guid? TransferId { get; set; }

    public string? TransferDomain { get; set; }

    public Guid? TransferCaseId { get; set; }

    public string? TransferCaseNumber { get; set; }

    public string? OriginDomain { get; set; }

    public Guid? OriginCaseId { get; set; }

    public Guid? OriginTransferId { get; set; }

    public int Version { get; set; }

    public Case Clone() => (Case)MemberwiseClone();
}

/// <summary>Deadline step names as they appear in events and breach records.</summary>
public static class CaseSteps
{
    public const string Accept = "accept";
    public const string Handle = "handle";
    public const string Verify = "verify";
    public const string Transfer = "transfer";
    public const string ReportForDuty = "report-for-duty";
}
