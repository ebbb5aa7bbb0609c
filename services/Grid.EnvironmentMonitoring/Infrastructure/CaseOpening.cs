namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>Why and where environment opens a case; the case itself lives in the shared case life cycle.</summary>
public sealed record CaseOpening
{
    /// <summary>exceedance, silent-station, complaint, assignment, dispute, incident, patrol-finding.</summary>
    public required string Category { get; init; }

    /// <summary>minor, general, major.</summary>
    public string Severity { get; init; } = "general";

    public required string Title { get; init; }

    public string Description { get; init; } = "";

    /// <summary>patrol, inspection, complaint, hotline, sensor, assignment (CaseReported.Source).</summary>
    public required string Source { get; init; }

    public required string GridId { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public double? Longitude { get; init; }

    public double? Latitude { get; init; }
}

/// <summary>
/// Opens cases in the shared case life cycle. The key makes it idempotent: opening again with the same key
/// returns the case opened the first time, so a record whose case id was not saved can simply be retried.
/// </summary>
public interface ICaseGateway
{
    /// <summary>The case id, or the reason the case life cycle refused it.</summary>
    Task<(Guid? CaseId, string? Error)> OpenAsync(CaseOpening opening, string idempotencyKey, CancellationToken ct);
}

/// <summary>Transfers (移交) a case to another domain through the shared transfer protocol.</summary>
public interface ICaseTransfers
{
    /// <summary>Null when the case is now transferred (or already was), otherwise why not.</summary>
    Task<string?> TransferAsync(Guid caseId, string targetDomain, CancellationToken ct);
}
