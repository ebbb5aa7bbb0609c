using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// Re-judges the stretch of history that new readings can change, per series (station × pollutant) and rule,
/// and reconciles the episodes found with those on record: a new episode opens a case, a known one is updated.
/// Runs inside the ingestion transaction, under the stations' advisory locks. The stretch comes from
/// <see cref="SeriesTailCache"/> when it is current, else it is read back.
/// </summary>
internal sealed class RuleEvaluator(SeriesTailCache tails, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, ILogger<RuleEvaluator> logger)
{
    /// <summary>The station of each episode opened, and each series as judged: from where, the readings, how much of it the next batch can need.</summary>
    public sealed record Evaluation(IReadOnlyList<string> OpenedAt, IReadOnlyList<(string Station, string Pollutant, DateTimeOffset From, List<Sample> Series, TimeSpan Keep)> Judged)
    {
        public int Opened => OpenedAt.Count;
    }

    private static readonly Evaluation Nothing = new([], []);

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

    /// <summary>
    /// Series touched by a group of batches with their newly stored readings in time order, and the generation each station
    /// has reached with this group.
    /// </summary>
    public async Task<Evaluation> EvaluateAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        IReadOnlyDictionary<(string Station, string Pollutant), List<Sample>> added, IReadOnlyDictionary<string, long> generations, CancellationToken ct)
    {
        if (added.Count == 0)
        {
            return Nothing;
        }

        var touched = added.ToDictionary(a => a.Key, a => a.Value[0].Time);

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
            return Nothing;
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
        var windows = new Dictionary<(string, string), (DateTimeOffset Load, DateTimeOffset Judge, TimeSpan Reach)>();
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
            windows[key] = (judge - reach, judge, reach);
        }

        var readings = new Dictionary<(string, string), List<Sample>>();
        var misses = new List<(string StationId, string Pollutant)>();
        foreach (var key in keys)
        {
            if (generations.TryGetValue(key.StationId, out var generation)
                && tails.Series(key.StationId, key.Pollutant, generation - 1, windows[key].Load, added[key]) is { } held)
            {
                readings[key] = held;
            }
            else
            {
                misses.Add(key);
            }
        }

        if (misses.Count > 0)
        {
            foreach (var g in (await conn.QueryAsync<ReadingRow>(new CommandDefinition("""
                SELECT r.station_id AS StationId, r.pollutant AS Pollutant, r.time AS Time, r.value AS Value
                FROM unnest(@s, @p, @f) AS q(s, p, f)
                JOIN environment.readings r ON r.station_id = q.s AND r.pollutant = q.p AND r.time >= q.f
                ORDER BY r.station_id, r.pollutant, r.time
                """, new
            {
                s = misses.Select(k => k.StationId).ToArray(),
                p = misses.Select(k => k.Pollutant).ToArray(),
                f = misses.Select(k => windows[k].Load.UtcDateTime).ToArray(),
            }, tx, cancellationToken: ct))).GroupBy(r => (r.StationId, r.Pollutant)))
            {
                readings[g.Key] = g.Select(r => new Sample(new DateTimeOffset(r.Time, TimeSpan.Zero), r.Value)).ToList();
            }
        }

        var updated = new List<StoredEpisode>();
        var newEpisodes = new List<(string Station, LimitRule Rule, Episode Episode)>();
        var judged = new List<(string, string, DateTimeOffset, List<Sample>, TimeSpan)>(keys.Length);
        foreach (var key in keys)
        {
            if (!readings.TryGetValue(key, out var series))
            {
                continue;
            }

            judged.Add((key.StationId, key.Pollutant, windows[key].Load, series, clearAfter + lookback + windows[key].Reach));

            foreach (var row in rules[key])
            {
                var rule = ToRule(row);
                var detected = ExceedanceDetector.Episodes(series, rule, clearAfter, windows[key].Judge);
                var known = stored.TryGetValue(key, out var eps)
                    ? eps.Where(e => e.RuleId == rule.Id).Select(e => new StoredEpisode(e.Id, Utc(e.StartedAt), Utc(e.LastBreachAt), e.PeakValue, e.EndedAt is { } x ? Utc(x) : null)).ToList()
                    : [];
                var outcome = EpisodeReconciler.Reconcile(known, detected);
                updated.AddRange(outcome.Updated.Select(u => u.After));
                foreach (var e in outcome.Opened)
                {
                    logger.LogInformation("Exceedance episode at {Station} {Pollutant} ({Kind}) from {Start}", row.StationId, rule.Pollutant, rule.Kind, e.StartedAt);
                    newEpisodes.Add((row.StationId, rule, e));
                }
            }
        }

        await WriteEpisodesAsync(conn, tx, updated, newEpisodes, ct);
        return new Evaluation(newEpisodes.ConvertAll(e => e.Station), judged);
    }

    /// <summary>The batch's changes to episodes on record and its new episodes, in one round trip.</summary>
    private async Task WriteEpisodesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<StoredEpisode> updated,
        List<(string Station, LimitRule Rule, Episode Episode)> opened, CancellationToken ct)
    {
        if (updated.Count == 0 && opened.Count == 0)
        {
            return;
        }

        // The case is opened right after commit by CaseFollowUp (idempotent by episode id), so a crash in between
        // leaves an episode without a case that the next sweep picks up, never an episode with two cases.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE environment.exceedance_episodes e
            SET started_at = u.started, last_breach_at = u.last, peak_value = u.peak, ended_at = u.ended
            FROM unnest(@uid, @ustarted, @ulast, @upeak, @uended) AS u(id, started, last, peak, ended)
            WHERE e.id = u.id;
            INSERT INTO environment.exceedance_episodes (id, station_id, pollutant, rule_id, started_at, last_breach_at, ended_at, peak_value, case_id, detected_at)
            SELECT id, station, pollutant, rule, started, last, ended, peak, NULL, @now
            FROM unnest(@oid, @ostation, @opollutant, @orule, @ostarted, @olast, @oended, @opeak) AS o(id, station, pollutant, rule, started, last, ended, peak);
            """, new
        {
            uid = updated.Select(u => u.Id).ToArray(),
            ustarted = updated.Select(u => u.StartedAt.UtcDateTime).ToArray(),
            ulast = updated.Select(u => u.LastBreachAt.UtcDateTime).ToArray(),
            upeak = updated.Select(u => u.PeakValue).ToArray(),
            uended = updated.Select(u => u.EndedAt?.UtcDateTime).ToArray(),
            oid = opened.Select(_ => Guid.CreateVersion7()).ToArray(),
            ostation = opened.Select(o => o.Station).ToArray(),
            opollutant = opened.Select(o => o.Rule.Pollutant).ToArray(),
            orule = opened.Select(o => o.Rule.Id).ToArray(),
            ostarted = opened.Select(o => o.Episode.StartedAt.UtcDateTime).ToArray(),
            olast = opened.Select(o => o.Episode.LastBreachAt.UtcDateTime).ToArray(),
            oended = opened.Select(o => o.Episode.EndedAt?.UtcDateTime).ToArray(),
            opeak = opened.Select(o => o.Episode.PeakValue).ToArray(),
            now = clock.GetUtcNow().UtcDateTime,
        }, tx, cancellationToken: ct));
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
