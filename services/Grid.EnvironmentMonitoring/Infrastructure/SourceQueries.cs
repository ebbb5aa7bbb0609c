using System.Text.Json;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>The reads of the source register (sources, discharge points and their limits, stations, episodes), shared by the endpoints.</summary>
public static class SourceQueries
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static async Task<List<EpisodeView>> LoadEpisodesAsync(NpgsqlConnection conn, string stationId, CancellationToken ct) =>
        (await conn.QueryAsync<(Guid, string, string, Guid, DateTime, DateTime, DateTime?, double, Guid?)>(new CommandDefinition("""
            SELECT id, station_id, pollutant, rule_id, started_at, last_breach_at, ended_at, peak_value, case_id
            FROM environment.exceedance_episodes WHERE station_id = @stationId ORDER BY started_at
            """, new { stationId }, cancellationToken: ct)))
        .Select(e => new EpisodeView(e.Item1, e.Item2, e.Item3, e.Item4, Utc(e.Item5), Utc(e.Item6), e.Item7 is { } x ? Utc(x) : null, e.Item8, e.Item9))
        .ToList();

    /// <summary>A LIMIT clause for a page read (an integer, never caller text), or nothing.</summary>
    internal static string Limit(int? limit) => limit is { } n ? $"LIMIT {n}" : "";

    internal static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private sealed class SourceRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = default!;
        public string? CreditCode { get; init; }
        public string Class { get; init; } = default!;
        public string? Industry { get; init; }
        public string GridId { get; init; } = default!;
        public string[] GridPath { get; init; } = default!;
        public string? Address { get; init; }
        public double? Longitude { get; init; }
        public double? Latitude { get; init; }
        public string Permits { get; init; } = default!;
        public string Responsible { get; init; } = default!;
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
    }

    internal static async Task<List<PollutionSource>> LoadSourcesAsync(NpgsqlConnection conn, string where, object? args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<SourceRow>(new CommandDefinition($"""
            SELECT id AS Id, name AS Name, credit_code AS CreditCode, class AS Class, industry AS Industry, grid_id AS GridId, grid_path AS GridPath,
                   address AS Address, longitude AS Longitude, latitude AS Latitude, permits::text AS Permits, responsible::text AS Responsible,
                   created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM environment.sources {where} ORDER BY name, id {Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(s => new PollutionSource
        {
            Id = s.Id,
            Name = s.Name,
            CreditCode = s.CreditCode,
            Class = s.Class,
            Industry = s.Industry,
            GridId = s.GridId,
            GridPath = s.GridPath,
            Address = s.Address,
            Longitude = s.Longitude,
            Latitude = s.Latitude,
            Permits = JsonSerializer.Deserialize<List<Permit>>(s.Permits, Json) ?? [],
            Responsible = JsonSerializer.Deserialize<List<ResponsiblePerson>>(s.Responsible, Json) ?? [],
            CreatedAt = Utc(s.CreatedAt),
            UpdatedAt = Utc(s.UpdatedAt),
        }).ToList();

    internal static async Task<PollutionSource?> LoadSourceAsync(NpgsqlConnection conn, Guid id, CancellationToken ct) =>
        (await LoadSourcesAsync(conn, "WHERE id = @id", new { id }, ct)).SingleOrDefault();

    internal static async Task<List<DischargePoint>> LoadDischargePointsAsync(NpgsqlConnection conn, Guid sourceId, CancellationToken ct)
    {
        var points = await conn.QueryAsync<(Guid Id, string Code, string Name, string Medium)>(new CommandDefinition(
            "SELECT id, code, name, medium FROM environment.discharge_points WHERE source_id = @sourceId ORDER BY code", new { sourceId }, cancellationToken: ct));
        var rules = (await conn.QueryAsync<(Guid Id, Guid PointId, string Pollutant, string Kind, double Limit, int? Window, int? Count)>(new CommandDefinition("""
            SELECT r.id, r.discharge_point_id, r.pollutant, r.kind, r.limit_value, r.window_minutes, r.consecutive_count
            FROM environment.limit_rules r JOIN environment.discharge_points d ON d.id = r.discharge_point_id WHERE d.source_id = @sourceId
            """, new { sourceId }, cancellationToken: ct)))
            .Select(r => new LimitRule
            {
                Id = r.Id,
                DischargePointId = r.PointId,
                Pollutant = r.Pollutant,
                Kind = Enum.Parse<LimitKind>(r.Kind),
                Limit = r.Limit,
                WindowMinutes = r.Window,
                ConsecutiveCount = r.Count,
            }).ToList();
        return points.Select(p => new DischargePoint(p.Id, sourceId, p.Code, p.Name, p.Medium, rules.Where(r => r.DischargePointId == p.Id).ToList())).ToList();
    }

    internal static async Task<List<StationView>> LoadStationsAsync(NpgsqlConnection conn, string where, object? args, CancellationToken ct, int? limit = null) =>
        (await conn.QueryAsync<(string, string, Guid, Guid, string, string[], string[], int?, DateTime?)>(new CommandDefinition($"""
            SELECT id, name, source_id, discharge_point_id, grid_id, grid_path, pollutants, silent_after_minutes, last_reading_at
            FROM environment.stations {where} ORDER BY id {Limit(limit)}
            """, args, cancellationToken: ct)))
        .Select(s => new StationView(s.Item1, s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, s.Item7, s.Item8, s.Item9 is { } t ? Utc(t) : null))
        .ToList();
}

public sealed record StationView(string Id, string Name, Guid SourceId, Guid DischargePointId, string GridId, string[] GridPath, string[] Pollutants, int? SilentAfterMinutes, DateTimeOffset? LastReadingAt);

public sealed record EpisodeView(Guid Id, string StationId, string Pollutant, Guid RuleId, DateTimeOffset StartedAt, DateTimeOffset LastBreachAt, DateTimeOffset? EndedAt, double PeakValue, Guid? CaseId);
