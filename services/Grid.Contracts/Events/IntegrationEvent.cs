namespace Grid.Contracts.Events;

/// <summary>
/// What every integration event carries (docs/architecture.md). Events are immutable; a breaking change is a new
/// type, an additive one bumps <see cref="ContractVersion"/>.
/// </summary>
public abstract record IntegrationEvent
{
    /// <summary>Unique per event; consumers record it in their inbox so redelivery is harmless.</summary>
    public Guid EventId { get; init; } = Guid.NewGuid();

    /// <summary>When it happened (UTC). For an offline report, the device's original time.</summary>
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>fire, environment, labor, drugs, cadre, comprehensive.</summary>
    public string Domain { get; init; } = "";

    public int ContractVersion { get; init; } = 1;
}

/// <summary>An event about one case: where it is (grid and the grid's ancestors, root first).</summary>
public abstract record CaseEvent : IntegrationEvent
{
    public Guid CaseId { get; init; }

    /// <summary>Readable case number, e.g. FIRE-20261123-0042.</summary>
    public string CaseNumber { get; init; } = "";

    public string GridId { get; init; } = "";

    /// <summary>The grid's ancestor path, root first, the grid itself last: lets any consumer scope and roll up.</summary>
    public IReadOnlyList<string> GridPath { get; init; } = [];
}

/// <summary>Domains as they appear in events, routes and tokens.</summary>
public static class Domains
{
    public const string Fire = "fire";
    public const string Environment = "environment";
    public const string Labor = "labor";
    public const string Drugs = "drugs";
    public const string Cadre = "cadre";
    public const string Comprehensive = "comprehensive";

    public static readonly IReadOnlyList<string> All = [Fire, Environment, Labor, Drugs, Cadre, Comprehensive];
}
