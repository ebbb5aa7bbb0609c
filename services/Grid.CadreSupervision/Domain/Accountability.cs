namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 问责记录 A lapse from any domain — a missed deadline, a late closure, a case reopened too often, a summons answered
/// late — attached to the person or unit it names.
/// </summary>
public sealed class AccountabilityRecord
{
    public Guid Id { get; set; }

    /// <summary>breach, closed-late, reopened, summons-late (<see cref="AccountabilityRules"/>).</summary>
    public string Kind { get; set; } = AccountabilityRules.Breach;

    /// <summary>The event it came from (one record per event).</summary>
    public Guid EventId { get; set; }

    public string Domain { get; set; } = "";

    public Guid CaseId { get; set; }

    public string CaseNumber { get; set; } = "";

    /// <summary>accept, handle, verify, transfer, report-for-duty for a breach; close, verify, report-for-duty for the others.</summary>
    public string Step { get; set; } = "";

    /// <summary>The deadline missed (a breach, a summons); none for a late closure or a reopened case.</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>For a reopened case, how many times it was reopened.</summary>
    public int? ReopenCount { get; set; }

    public string Responsible { get; set; } = "";

    public string ResponsibleGridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>yyyy-MM (China time) of the breach.</summary>
    public string Period { get; set; } = "";

    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>问责建议 A measure proposed against a responsible person or unit; only the discipline commission decides.</summary>
public sealed class MeasureProposal
{
    public const string Proposed = "proposed";
    public const string Confirmed = "confirmed";
    public const string Dismissed = "dismissed";

    public Guid Id { get; set; }

    public string Responsible { get; set; } = "";

    public string Period { get; set; } = "";

    /// <summary>criticism, admonishment, veto, trace-back (<see cref="AccountabilityRules"/>).</summary>
    public string Measure { get; set; } = "";

    public int Breaches { get; set; }

    public string[] GridPath { get; set; } = [];

    public string State { get; set; } = Proposed;

    public string? Reason { get; set; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
