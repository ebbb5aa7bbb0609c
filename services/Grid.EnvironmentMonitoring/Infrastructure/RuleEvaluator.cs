using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// Re-judges the stretch of history that new readings can change, per series (station × pollutant) and rule,
/// and reconciles the episodes found with those on record: a new episode opens a case, a known one is updated.
/// Runs inside the ingestion transaction, under the stations' advisory locks.
/// </summary>
internal sealed class RuleEvaluator(IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, ILogger<RuleEvaluator> logger)
{
    private sealed class RuleRow
    {
        public string StationId { get; init; } = default!;
        public string StationName { get; init; } = default!;
        public Guid SourceId { get; init; }
        public string GridId { get; init; } = default!;
        public string[] GridPath { get; init; } = default!;
        public Guid Id { get; init; }
        public Guid DischargePointId { get; init; }
        public string Pollutant { get; init; } = default!;
        public string Kind { get; init; } = default!;
        public double LimitValue { get; init; }
        public int? WindowMinutes { get; init; }
        public int? ConsecutiveCount { get; init; }
    }

    private sealed class EpisodeRow
    {
        public Guid Id { get; init; }
        public string StationId { get; init; } = default!;
        public string Pollutant { get; init; } = default!;
        public Guid RuleId { get; init; }
        public DateTime StartedAt { get; init; }
        public DateTime LastBreachAt { get; init; }
        public double PeakValue { get; init; }
        public DateTime? EndedAt { get; init; }
    }

    private sealed class ReadingRow
    {
        public string StationId { get; init; } = default!;
        public string Pollutant { get; init; } = default!;
        public DateTime Time { get; init; }
        public double Value { get; init; }
    }

    /// <summary>Series touched by a batch, with the earliest newly stored reading of each.</summary>
    public async Task<int> EvaluateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyDictionary<(string Station, string Pollutant), DateTimeOffset> touched, CancellationToken ct)
    {
        if (touched.Count == 0)
        {
            return 0;
        }

        var o = options.CurrentValue.Rules;
        var clearAfter = TimeSpan.FromMinutes(o.ClearAfterMinutes);
        var lookback = TimeSpan.FromMinutes(o.LookbackMinutes);
        var stationIds = touched.Keys.Select(k => k.Station).Distinct().ToArray();

        var rules = (await conn.QueryAsync<RuleRow>(new CommandDefinition("""
            SELECT s.id AS StationId, s.name AS StationName, s.source_id AS SourceId, s.grid_id AS GridId, s.grid_path AS GridPath,
                   r.id AS Id, r.discharge_point_id AS DischargePointId, r.pollutant AS Pollutant, r.kind AS Kind,
                   r.limit_value AS LimitValue, r.window_minutes AS WindowMinutes, r.consecutive_count AS ConsecutiveCount
            FROM environment.stations s JOIN environment.limit_rules r ON r.discharge_point_id = s.discharge_point_id
            WHERE s.id = ANY(@stationIds)
            """, new { stationIds }, tx, cancellationToken: ct)))
            .Where(r => touched.ContainsKey((r.StationId, r.Pollutant)))
            .GroupBy(r => (r.StationId, r.Pollutant))
            .ToDictionary(g => g.Key, g => g.ToList());
        if (rules.Count == 0)
        {
            return 0;
        }

        var keys = rules.Keys.ToArray();
        var stored = (await conn.QueryAsync<EpisodeRow>(new CommandDefinition("""
            SELECT e.id AS Id, e.station_id AS StationId, e.pollutant AS Pollutant, e.rule_id AS RuleId, e.started_at AS StartedAt,
                   e.last_breach_at AS LastBreachAt, e.peak_value AS PeakValue, e.ended_at AS EndedAt
            FROM unnest(@s, @p) AS q(s, p)
            JOIN environment.exceedance_episodes e ON e.station_id = q.s AND e.pollutant = q.p
            """, new { s = keys.Select(k => k.StationId).ToArray(), p = keys.Select(k => k.Pollutant).ToArray() }, tx, cancellationToken: ct)))
            .GroupBy(e => (e.StationId, e.Pollutant))
            .ToDictionary(g => g.Key, g => g.ToList());

        // Per series: judge from (earliest new reading − clearing time − lookback), earlier still if an episode is
        // running (its last breach must be seen to judge whether it has cleared); load one rule reach before that.
        var windows = new Dictionary<(string, string), (DateTimeOffset Load, DateTimeOffset Judge)>();
        foreach (var key in keys)
        {
            var judge = touched[key] - clearAfter - lookback;
            if (stored.TryGetValue(key, out var eps))
            {
                foreach (var e in eps.Where(e => e.EndedAt is null))
                {
                    var lb = new DateTimeOffset(e.LastBreachAt, TimeSpan.Zero);
                    if (lb < judge)
                    {
                        judge = lb;
                    }
                }
            }

            var reach = rules[key].Max(r => ToRule(r).Reach);
            windows[key] = (judge - reach, judge);
        }

        var readings = (await conn.QueryAsync<ReadingRow>(new CommandDefinition("""
            SELECT r.station_id AS StationId, r.pollutant AS Pollutant, r.time AS Time, r.value AS Value
            FROM unnest(@s, @p, @f) AS q(s, p, f)
            JOIN environment.readings r ON r.station_id = q.s AND r.pollutant = q.p AND r.time >= q.f
            ORDER BY r.station_id, r.pollutant, r.time
            """, new
        {
            s = keys.Select(k => k.StationId).ToArray(),
            p = keys.Select(k => k.Pollutant).ToArray(),
            f = keys.Select(k => windows[k].Load.UtcDateTime).ToArray(),
        }, tx, cancellationToken: ct)))
            .GroupBy(r => (r.StationId, r.Pollutant))
            .ToDictionary(g => g.Key, g => g.Select(r => new Sample(new DateTimeOffset(r.Time, TimeSpan.Zero), r.Value)).ToList());

        var opened = 0;
        foreach (var key in keys)
        {
            if (!readings.TryGetValue(key, out var series))
            {
                continue;
            }

            foreach (var row in rules[key])
            {
                var rule = ToRule(row);
                var detected = ExceedanceDetector.Episodes(series, rule, clearAfter, windows[key].Judge);
                var known = stored.TryGetValue(key, out var eps)
                    ? eps.Where(e => e.RuleId == rule.Id).Select(e => new StoredEpisode(e.Id, Utc(e.StartedAt), Utc(e.LastBreachAt), e.PeakValue, e.EndedAt is { } x ? Utc(x) : null)).ToList()
                    : [];
                var outcome = EpisodeReconciler.Reconcile(known, detected);
                foreach (var (_, after) in outcome.Updated)
                {
                    await conn.ExecuteAsync(new CommandDefinition("""
                        UPDATE environment.exceedance_episodes
                        SET started_at = @StartedAt, last_breach_at = @LastBreachAt, peak_value = @PeakValue, ended_at = @EndedAt
                        WHERE id = @Id
                        """, new { after.Id, StartedAt = after.StartedAt.UtcDateTime, LastBreachAt = after.LastBreachAt.UtcDateTime, after.PeakValue, EndedAt = after.EndedAt?.UtcDateTime }, tx, cancellationToken: ct));
                }

                foreach (var e in outcome.Opened)
                {
                    await OpenEpisodeAsync(conn, tx, row, rule, e, ct);
                    opened++;
                }
            }
        }

        return opened;
    }

    private async Task OpenEpisodeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, RuleRow row, LimitRule rule, Episode e, CancellationToken ct)
    {
        // The case is opened right after commit by CaseFollowUp (idempotent by episode id), so a crash in between
        // leaves an episode without a case that the next sweep picks up, never an episode with two cases.
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment.exceedance_episodes (id, station_id, pollutant, rule_id, started_at, last_breach_at, ended_at, peak_value, case_id, detected_at)
            VALUES (@id, @station, @pollutant, @rule, @start, @last, @ended, @peak, NULL, @now)
            """, new
        {
            id = Guid.CreateVersion7(),
            station = row.StationId,
            pollutant = rule.Pollutant,
            rule = rule.Id,
            start = e.StartedAt.UtcDateTime,
            last = e.LastBreachAt.UtcDateTime,
            ended = e.EndedAt?.UtcDateTime,
            peak = e.PeakValue,
            now = clock.GetUtcNow().UtcDateTime,
        }, tx, cancellationToken: ct));
        logger.LogInformation("Exceedance episode at {Station} {Pollutant} ({Kind}) from {Start}", row.StationId, rule.Pollutant, rule.Kind, e.StartedAt);
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc), TimeSpan.Zero);

    private static LimitRule ToRule(RuleRow r) => new()
    {
        Id = r.Id,
        DischargePointId = r.DischargePointId,
        Pollutant = r.Pollutant,
        Kind = Enum.Parse<LimitKind>(r.Kind, ignoreCase: true),
        Limit = r.LimitValue,
        WindowMinutes = r.WindowMinutes,
        ConsecutiveCount = r.ConsecutiveCount,
    };
}
