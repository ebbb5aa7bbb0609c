using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// Re-judges the stretch of history that new readings can change, per series (station × pollutant) and rule,
/// and reconciles the episodes found with those on record: a new episode opens a case, a known one is updated.
/// Runs inside the ingestion transaction, under the stations' advisory locks: the rules and episodes are read with
/// the locks (<see cref="AddReads"/>, <see cref="AddRulesAsync"/>), the judging is done in memory, and the changes go
/// with the commit (<see cref="AddWrites"/>). The stretch comes from <see cref="SeriesTailCache"/> when it is current,
/// else it is read back; the rules come from <see cref="LimitRuleCache"/> when held at the version the register read.
/// </summary>
internal sealed class RuleEvaluator(SeriesTailCache tails, LimitRuleCache ruleCache, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, ILogger<RuleEvaluator> logger)
{
    /// <summary>
    /// The station of each episode opened; each series as judged (from where, the readings, how much of it the next batch
    /// can need); and the changes to write: episodes on record updated, episodes found new.
    /// </summary>
    public sealed record Evaluation(IReadOnlyList<string> OpenedAt, IReadOnlyList<(string Station, string Pollutant, DateTimeOffset From, List<Sample> Series, TimeSpan Keep)> Judged,
        IReadOnlyList<StoredEpisode> Updated, IReadOnlyList<(string Station, LimitRule Rule, Episode Episode)> Opened)
    {
        public static readonly Evaluation Nothing = new([], [], [], []);
    }

    /// <summary>The rules and the recorded episodes that can matter of the stations a group names, by series.</summary>
    public sealed class Context
    {
        public Dictionary<(string Station, string Pollutant), List<LimitRule>> Rules { get; } = [];

        public Dictionary<(string Station, string Pollutant), List<EpisodeRow>> Episodes { get; } = [];
    }

    public sealed record EpisodeRow(Guid Id, Guid RuleId, DateTime StartedAt, DateTime LastBreachAt, double PeakValue, DateTime? EndedAt);

    /// <summary>
    /// Adds the read of <see cref="ReadAsync"/> to the group's first round trip (after its locks): the stations' episodes
    /// that a reading at or after <paramref name="earliest"/> can touch — those still running, and those that ended after
    /// the earliest moment judged (<paramref name="earliest"/> − clearing − lookback, or a running episode's last breach
    /// when earlier; see <see cref="EvaluateAsync"/>). An episode that ended before it overlaps nothing found there, so
    /// leaving it out changes nothing and keeps the read from growing with the history.
    /// </summary>
    public void AddReads(NpgsqlBatch batch, string[] stations, DateTimeOffset earliest)
    {
        var o = options.CurrentValue.Rules;
        // The earliest time of every batch named, refused ones too: one may carry a time as early as 0001-01-01.
        var since = Before(earliest, TimeSpan.FromMinutes(o.ClearAfterMinutes + o.LookbackMinutes));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT station_id, pollutant, id, rule_id, started_at, last_breach_at, peak_value, ended_at
            FROM (
                SELECT e.*, min(e.last_breach_at) FILTER (WHERE e.ended_at IS NULL) OVER (PARTITION BY e.station_id, e.pollutant) AS running_since
                FROM unnest($1::text[]) AS n(id) JOIN environment.exceedance_episodes e ON e.station_id = n.id) e
            WHERE ended_at IS NULL OR ended_at >= LEAST($2, running_since)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = stations },
                new NpgsqlParameter<DateTime> { TypedValue = since.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        });
    }

    /// <summary>Reads what <see cref="AddReads"/> asked for: the reader is at its result.</summary>
    public static async Task<Context> ReadAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var context = new Context();
        while (await reader.ReadAsync(ct))
        {
            Add(context.Episodes, (reader.GetString(0), reader.GetString(1)), new EpisodeRow(reader.GetGuid(2), reader.GetGuid(3),
                reader.GetDateTime(4), reader.GetDateTime(5), reader.GetDouble(6), reader.IsDBNull(7) ? null : reader.GetDateTime(7)));
        }

        return context;
    }

    /// <summary>
    /// The rules of each station's discharge point into <paramref name="context"/>: those held at the version the register
    /// read under the locks, and the others read in the group's transaction (a round trip only when a point is new to this
    /// process or its rules changed) and held.
    /// </summary>
    public async Task AddRulesAsync(NpgsqlConnection conn, Context context, IReadOnlyCollection<ReadingIngestor.StationRow> stations, CancellationToken ct)
    {
        var missing = stations.Where(s => ruleCache.Rules(s.DischargePointId, s.RulesVersion) is null).Select(s => s.DischargePointId).Distinct().ToArray();
        var read = missing.Length > 0 ? await ReadRulesAsync(conn, missing, ct) : [];
        foreach (var station in stations)
        {
            // What was read just now is at least as new as the version the register saw.
            var rules = read.GetValueOrDefault(station.DischargePointId) ?? ruleCache.Rules(station.DischargePointId, station.RulesVersion) ?? [];
            foreach (var rule in rules)
            {
                Add(context.Rules, (station.Id, rule.Pollutant), rule);
            }
        }
    }

    /// <summary>The rules of <paramref name="points"/> with each point's version, read in one statement so that they match, and held.</summary>
    private async Task<Dictionary<Guid, LimitRule[]>> ReadRulesAsync(NpgsqlConnection conn, Guid[] points, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT d.id, d.rules_version, r.id, r.pollutant, r.kind, r.limit_value, r.window_minutes, r.consecutive_count
            FROM unnest($1::uuid[]) AS p(id)
            JOIN environment.discharge_points d ON d.id = p.id
            LEFT JOIN environment.limit_rules r ON r.discharge_point_id = d.id
            """, conn) { Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = points } } };
        var read = new Dictionary<Guid, (long Version, List<LimitRule> Rules)>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var point = reader.GetGuid(0);
                if (!read.TryGetValue(point, out var held))
                {
                    read[point] = held = (reader.GetInt64(1), []);
                }

                if (!reader.IsDBNull(2))
                {
                    held.Rules.Add(new LimitRule
                    {
                        Id = reader.GetGuid(2),
                        DischargePointId = point,
                        Pollutant = reader.GetString(3),
                        Kind = Enum.Parse<LimitKind>(reader.GetString(4), ignoreCase: true),
                        Limit = reader.GetDouble(5),
                        WindowMinutes = reader.IsDBNull(6) ? null : reader.GetInt32(6),
                        ConsecutiveCount = reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    });
                }
            }
        }

        var rules = new Dictionary<Guid, LimitRule[]>(read.Count);
        foreach (var (point, (version, list)) in read)
        {
            rules[point] = [.. list];
            ruleCache.Remember(point, version, rules[point]);
        }

        return rules;
    }

    /// <summary>
    /// Judges the series touched by a group with their newly stored readings in time order, given the generation each
    /// station reaches with this group; reads back, in the transaction, the stretches the cache does not hold.
    /// </summary>
    public async Task<Evaluation> EvaluateAsync(NpgsqlConnection conn, Context context,
        IReadOnlyDictionary<(string Station, string Pollutant), List<Sample>> added, IReadOnlyDictionary<string, long> generations, CancellationToken ct)
    {
        var o = options.CurrentValue.Rules;
        var clearAfter = TimeSpan.FromMinutes(o.ClearAfterMinutes);
        var lookback = TimeSpan.FromMinutes(o.LookbackMinutes);

        // Per series: judge from (earliest new reading − clearing time − lookback), earlier still if an episode is
        // running (its last breach must be seen to judge whether it has cleared); load one rule reach before that.
        var windows = new Dictionary<(string Station, string Pollutant), (DateTimeOffset Load, DateTimeOffset Judge, TimeSpan Reach, List<LimitRule> Rules)>();
        foreach (var (key, samples) in added)
        {
            if (!context.Rules.TryGetValue(key, out var rules))
            {
                continue;
            }

            var judge = Before(samples[0].Time, clearAfter + lookback);
            foreach (var e in context.Episodes.GetValueOrDefault(key) ?? [])
            {
                if (e.EndedAt is null && Utc(e.LastBreachAt) < judge)
                {
                    judge = Utc(e.LastBreachAt);
                }
            }

            var reach = TimeSpan.Zero;
            foreach (var rule in rules)
            {
                reach = rule.Reach > reach ? rule.Reach : reach;
            }

            windows[key] = (Before(judge, reach), judge, reach, rules);
        }

        if (windows.Count == 0)
        {
            return Evaluation.Nothing;
        }

        var readings = new Dictionary<(string, string), List<Sample>>(windows.Count);
        var misses = new List<(string StationId, string Pollutant)>();
        foreach (var (key, window) in windows)
        {
            if (generations.TryGetValue(key.Station, out var generation)
                && tails.Series(key.Station, key.Pollutant, generation - 1, window.Load, added[key]) is { } held)
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
            await ReadBackAsync(conn, misses, windows, added, readings, ct);
        }

        var updated = new List<StoredEpisode>();
        var opened = new List<(string Station, LimitRule Rule, Episode Episode)>();
        var judged = new List<(string, string, DateTimeOffset, List<Sample>, TimeSpan)>(windows.Count);
        foreach (var (key, window) in windows)
        {
            var series = readings[key];
            judged.Add((key.Station, key.Pollutant, window.Load, series, clearAfter + lookback + window.Reach));
            var recorded = context.Episodes.GetValueOrDefault(key);
            foreach (var rule in window.Rules)
            {
                var detected = ExceedanceDetector.Episodes(series, rule, clearAfter, window.Judge);
                if (detected.Count == 0 && recorded is null)
                {
                    continue;
                }

                var known = recorded is null
                    ? []
                    : recorded.Where(e => e.RuleId == rule.Id).Select(e => new StoredEpisode(e.Id, Utc(e.StartedAt), Utc(e.LastBreachAt), e.PeakValue, e.EndedAt is { } x ? Utc(x) : null)).ToList();
                var outcome = EpisodeReconciler.Reconcile(known, detected);
                updated.AddRange(outcome.Updated.Select(u => u.After));
                foreach (var e in outcome.Opened)
                {
                    logger.LogInformation("Exceedance episode at {Station} {Pollutant} ({Kind}) from {Start}", key.Station, rule.Pollutant, rule.Kind, e.StartedAt);
                    opened.Add((key.Station, rule, e));
                }
            }
        }

        return new Evaluation(opened.ConvertAll(e => e.Station), judged, updated, opened);
    }

    /// <summary>Adds the changes to episodes on record and the new episodes to the group's last round trip, if there are any.</summary>
    public void AddWrites(NpgsqlBatch batch, Evaluation evaluation)
    {
        // The case is opened right after commit by CaseFollowUp (idempotent by episode id), so a crash in between
        // leaves an episode without a case that the next sweep picks up, never an episode with two cases.
        if (evaluation.Updated is { Count: > 0 } updated)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                UPDATE environment.exceedance_episodes e
                SET started_at = u.started, last_breach_at = u.last, peak_value = u.peak, ended_at = u.ended
                FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::timestamptz[]) AS u(id, started, last, peak, ended)
                WHERE e.id = u.id
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid[]> { TypedValue = [.. updated.Select(u => u.Id)] },
                    new NpgsqlParameter<DateTime[]> { TypedValue = [.. updated.Select(u => u.StartedAt.UtcDateTime)] },
                    new NpgsqlParameter<DateTime[]> { TypedValue = [.. updated.Select(u => u.LastBreachAt.UtcDateTime)] },
                    new NpgsqlParameter<double[]> { TypedValue = [.. updated.Select(u => u.PeakValue)] },
                    new NpgsqlParameter<DateTime?[]> { TypedValue = [.. updated.Select(u => u.EndedAt?.UtcDateTime)] },
                },
            });
        }

        if (evaluation.Opened is { Count: > 0 } opened)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO environment.exceedance_episodes (id, station_id, pollutant, rule_id, started_at, last_breach_at, ended_at, peak_value, case_id, detected_at)
                SELECT id, station, pollutant, rule, started, last, ended, peak, NULL, $9
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::float8[])
                    AS o(id, station, pollutant, rule, started, last, ended, peak)
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid[]> { TypedValue = [.. opened.Select(_ => Guid.CreateVersion7())] },
                    new NpgsqlParameter<string[]> { TypedValue = [.. opened.Select(o => o.Station)] },
                    new NpgsqlParameter<string[]> { TypedValue = [.. opened.Select(o => o.Rule.Pollutant)] },
                    new NpgsqlParameter<Guid[]> { TypedValue = [.. opened.Select(o => o.Rule.Id)] },
                    new NpgsqlParameter<DateTime[]> { TypedValue = [.. opened.Select(o => o.Episode.StartedAt.UtcDateTime)] },
                    new NpgsqlParameter<DateTime[]> { TypedValue = [.. opened.Select(o => o.Episode.LastBreachAt.UtcDateTime)] },
                    new NpgsqlParameter<DateTime?[]> { TypedValue = [.. opened.Select(o => o.Episode.EndedAt?.UtcDateTime)] },
                    new NpgsqlParameter<double[]> { TypedValue = [.. opened.Select(o => o.Episode.PeakValue)] },
                    new NpgsqlParameter<DateTime> { TypedValue = clock.GetUtcNow().UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                },
            });
        }
    }

    /// <summary>
    /// The stretches the cache does not hold, read back from <c>readings</c> with the new readings in them: read before the
    /// group's rows are written they lack them, read after they have them already, so a reading at a time already
    /// there is not added twice.
    /// </summary>
    private static async Task ReadBackAsync(NpgsqlConnection conn, List<(string StationId, string Pollutant)> misses,
        Dictionary<(string Station, string Pollutant), (DateTimeOffset Load, DateTimeOffset Judge, TimeSpan Reach, List<LimitRule> Rules)> windows,
        IReadOnlyDictionary<(string Station, string Pollutant), List<Sample>> added, Dictionary<(string, string), List<Sample>> readings, CancellationToken ct)
    {
        var stored = (await conn.QueryAsync<(string StationId, string Pollutant, DateTime Time, double Value)>(new CommandDefinition("""
            SELECT r.station_id, r.pollutant, r.time, r.value
            FROM unnest(@s, @p, @f) AS q(s, p, f)
            JOIN environment.readings r ON r.station_id = q.s AND r.pollutant = q.p AND r.time >= q.f
            ORDER BY r.station_id, r.pollutant, r.time
            """, new
        {
            s = misses.Select(k => k.StationId).ToArray(),
            p = misses.Select(k => k.Pollutant).ToArray(),
            f = misses.Select(k => windows[k].Load.UtcDateTime).ToArray(),
        }, cancellationToken: ct))).GroupBy(r => (r.StationId, r.Pollutant))
            .ToDictionary(g => g.Key, g => g.Select(r => new Sample(Utc(r.Time), r.Value)).ToList());
        foreach (var key in misses)
        {
            var series = stored.GetValueOrDefault(key) ?? [];
            var merged = new List<Sample>(series.Count + added[key].Count);
            var (i, j, from) = (0, 0, windows[key].Load);
            var news = added[key];
            while (i < series.Count || j < news.Count)
            {
                if (j == news.Count || (i < series.Count && series[i].Time < news[j].Time))
                {
                    merged.Add(series[i++]);
                }
                else
                {
                    if (i < series.Count && series[i].Time == news[j].Time)
                    {
                        i++;
                    }

                    if (news[j].Time >= from)
                    {
                        merged.Add(news[j]);
                    }

                    j++;
                }
            }

            readings[key] = merged;
        }
    }

    /// <summary><paramref name="span"/> before <paramref name="t"/>, or the earliest time there is.</summary>
    private static DateTimeOffset Before(DateTimeOffset t, TimeSpan span) => t - DateTimeOffset.MinValue > span ? t - span : DateTimeOffset.MinValue;

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc), TimeSpan.Zero);

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
