using Npgsql;

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

    /// <summary>patrol, inspection, complaint, hotline, sensor, transfer, assignment (CaseReported.Source).</summary>
    public required string Source { get; init; }

    public required string GridId { get; init; }

    public required IReadOnlyList<string> GridPath { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The pollution source the case is about, if any (feeds the "found first by whom" trigger).</summary>
    public Guid? SourceId { get; init; }

    public string ReportedBy { get; init; } = "system";
}

/// <summary>Opens cases in the shared case life cycle inside the caller's transaction, so state and event commit together.</summary>
public interface ICaseGateway
{
    Task<Guid> OpenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CaseOpening opening, CancellationToken ct);
}
