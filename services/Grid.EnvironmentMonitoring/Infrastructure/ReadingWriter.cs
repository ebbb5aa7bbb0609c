using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// 合并入库: checks batches against the station register and stores them through Grid.Casework's <see cref="GroupCommitter{TItem}"/>, so that batches
/// arriving while the writers are busy share one transaction — one advisory lock round, one insert of every row, one rule
/// evaluation over every series they touch, one commit — and each caller is answered only once its rows are durable.
/// The register is read once per group; a batch it refuses is refused alone. Should a group fail in the database, each
/// of its batches is written again alone, so that a bad batch fails by itself.
/// </summary>
/// <remarks>
/// A group of new rows takes two round trips. The first: BEGIN, an advisory lock per station (sorted), and under the
/// locks the register with each station's ingestion generation and rules version, the episodes on record, and a
/// savepoint (the rules themselves come from <see cref="LimitRuleCache"/>, read only when new or changed). The rows are then judged in memory against the rules (the limit rules re-judged over the stretch the new rows can
/// change), and the second round trip carries the rows (one insert of arrays), the stations' generations and latest
/// readings, silences ended, the episodes' changes and the COMMIT. If a row is there already (resent, or twice in the
/// group) the insert fails and nothing after it runs: back at the savepoint, the rows go in with ON CONFLICT DO NOTHING,
/// what was stored is judged, and the rest follows with the commit. Cases for new episodes are opened just after, by
/// <see cref="CaseFollowUpWorker"/>.
/// </remarks>
internal sealed class ReadingWriter : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly RuleEvaluator _rules;
    private readonly SeriesTailCache _tails;
    private readonly CaseFollowUpWorker _followUp;
    private readonly GroupCommitter<PendingBatch> _groups;

    public ReadingWriter(NpgsqlDataSource db, RuleEvaluator rules, SeriesTailCache tails, CaseFollowUpWorker followUp, IOptions<EnvironmentOptions> options)
    {
        (_db, _rules, _tails, _followUp) = (db, rules, tails, followUp);
        var o = options.Value.Readings;
        _groups = new GroupCommitter<PendingBatch>(WriteAsync, o.IngestWriters, o.MaxGroupBatches);
    }

    /// <summary>Batches waiting for a writer.</summary>
    public int Queued => _groups.Queued;

    /// <summary>
    /// Checks <paramref name="rows"/> against the register (adding to the row-level <paramref name="errors"/> found
    /// before) and stores them unless refused; returns once they are committed.
    /// </summary>
    public async Task<(IngestResult? Result, IngestRefusal? Refusal)> StoreAsync(IReadOnlyList<Reading> rows, ClaimsPrincipal user,
        Dictionary<string, string[]> errors, DateTimeOffset receivedAt, CancellationToken ct)
    {
        var batch = new PendingBatch(rows, user, errors, receivedAt);
        await _groups.SubmitAsync(batch, ct);
        return (batch.Result, batch.Refusal);
    }

    private async Task WriteAsync(IReadOnlyList<PendingBatch> group)
    {
        try
        {
            await WriteTogetherAsync(group);
        }
        catch (Exception) when (group.Count > 1)
        {
            // Which batch failed the group cannot be told from here: each goes again alone.
            foreach (var batch in group)
            {
                try
                {
                    await WriteTogetherAsync([batch]);
                }
                catch (Exception e)
                {
                    batch.Error = e;
                }
            }
        }
    }

    private async Task WriteTogetherAsync(IReadOnlyList<PendingBatch> all)
    {
        // The writers serve every caller: one caller going away must not undo the others' rows.
        var ct = CancellationToken.None;
        await using var conn = await _db.OpenConnectionAsync(ct);
        try
        {
            await WriteTogetherAsync(conn, all, ct);
        }
        catch (Exception)
        {
            await RollBackAsync(conn);
            throw;
        }
    }

    /// <summary>
    /// The group in one transaction and, when its rows are all new, two round trips: the locks with what the checks and
    /// the rules need, then the rows with the stations' updates, the episodes and the commit.
    /// </summary>
    private async Task WriteTogetherAsync(NpgsqlConnection conn, IReadOnlyList<PendingBatch> all, CancellationToken ct)
    {
        var named = new SortedSet<string>(StringComparer.Ordinal);
        var earliest = DateTimeOffset.MaxValue;
        foreach (var batch in all)
        {
            foreach (var r in batch.Rows)
            {
                if (!string.IsNullOrWhiteSpace(r.Station))
                {
                    named.Add(r.Station);
                }

                earliest = r.Time < earliest ? r.Time : earliest;
            }
        }

        // One writer per station at a time (concurrent groups for a station would each see the other's episode as new),
        // in order; under the locks the register with each station's generation and rules version, and the episodes on record;
        // and the savepoint the rows' insert may go back to.
        var stations = new Dictionary<string, ReadingIngestor.StationRow>(StringComparer.Ordinal);
        RuleEvaluator.Context context;
        var names = named.ToArray();
        await using (var first = new NpgsqlBatch(conn))
        {
            // BEGIN and COMMIT as statements, not NpgsqlTransaction: so they ride with the first and the last round trip.
            first.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            first.BatchCommands.Add(new NpgsqlBatchCommand(
                "SELECT count(pg_advisory_xact_lock(hashtext(s))) FROM (SELECT s FROM unnest($1::text[]) AS s ORDER BY s OFFSET 0) q")
            { Parameters = { new NpgsqlParameter<string[]> { TypedValue = names } } });
            first.BatchCommands.Add(new NpgsqlBatchCommand("""
                SELECT s.id, s.grid_path, s.pollutants, s.ingest_generation, s.discharge_point_id, d.rules_version
                FROM unnest($1::text[]) AS n(id) JOIN environment.stations s ON s.id = n.id JOIN environment.discharge_points d ON d.id = s.discharge_point_id
                """) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = names } } });
            _rules.AddReads(first, names, earliest);
            first.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT copy_all"));
            await using var reader = await first.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var station = new ReadingIngestor.StationRow
                {
                    Id = reader.GetString(0),
                    GridPath = reader.GetFieldValue<string[]>(1),
                    Pollutants = reader.GetFieldValue<string[]>(2),
                    Generation = reader.GetInt64(3),
                    DischargePointId = reader.GetGuid(4),
                    RulesVersion = reader.GetInt64(5),
                };
                stations[station.Id] = station;
            }

            await reader.NextResultAsync(ct);
            context = await RuleEvaluator.ReadAsync(reader, ct);
        }

        await _rules.AddRulesAsync(conn, context, stations.Values, ct);

        var group = new List<PendingBatch>(all.Count);
        foreach (var batch in all)
        {
            batch.Refusal = ReadingIngestor.Check(batch.Rows, batch.User, batch.Errors, stations);
            if (batch.Refusal is null)
            {
                group.Add(batch);
            }
        }

        if (group.Count == 0)
        {
            await RollBackAsync(conn);
            return;
        }

        // Most groups are new rows only: judged as such and inserted straight into readings with the rest and the
        // commit. A resent or repeated row makes that insert fail on the key, and nothing after it runs; then, back at
        // the savepoint, the group goes the careful way: only the rows not there yet, judged once they are known.
        var rows = new GroupRows(group.ConvertAll(b => (b.Rows, b.ReceivedAt)));
        var fresh = rows.AsStored();
        var generations = Generations(fresh.Latest, stations);
        var evaluation = await _rules.EvaluateAsync(conn, context, fresh.Added, generations, ct);
        try
        {
            await using var last = new NpgsqlBatch(conn);
            last.BatchCommands.Add(rows.Insert("""
                INSERT INTO environment.readings (station_id, pollutant, time, value, unit, received_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::timestamptz[])
                """));
            AddStationUpdates(last, fresh.Latest);
            _rules.AddWrites(last, evaluation);
            last.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await last.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "readings")
        {
            // DISTINCT ON: the same row twice in one group would otherwise make ON CONFLICT fail ("affect row a second
            // time"); the first sent is the one kept, and it counts as stored for its batch.
            var inserted = new List<(string Station, string Pollutant, DateTime Time, double Value)>();
            await using (var careful = new NpgsqlBatch(conn))
            {
                careful.BatchCommands.Add(new NpgsqlBatchCommand("ROLLBACK TO SAVEPOINT copy_all"));
                careful.BatchCommands.Add(rows.Insert("""
                    INSERT INTO environment.readings (station_id, pollutant, time, value, unit, received_at)
                    SELECT DISTINCT ON (station_id, pollutant, time) station_id, pollutant, time, value, unit, received_at
                    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[], $6::timestamptz[], $7::int[])
                        AS q(station_id, pollutant, time, value, unit, received_at, batch)
                    ORDER BY station_id, pollutant, time, batch
                    ON CONFLICT (station_id, pollutant, time) DO NOTHING
                    RETURNING station_id, pollutant, time, value
                    """, withBatch: true));
                await using var reader = await careful.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    inserted.Add((reader.GetString(0), reader.GetString(1), reader.GetDateTime(2), reader.GetDouble(3)));
                }
            }

            var stored = rows.AsStored(inserted);
            generations = Generations(stored.Latest, stations);
            evaluation = await _rules.EvaluateAsync(conn, context, stored.Added, generations, ct);
            await using var last = new NpgsqlBatch(conn);
            AddStationUpdates(last, stored.Latest);
            _rules.AddWrites(last, evaluation);
            last.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await last.ExecuteNonQueryAsync(ct);
            fresh = stored;
        }

        _tails.Remember(generations, evaluation.Judged, fresh.Added.Keys);
        if (evaluation.Opened.Count > 0)
        {
            _followUp.Request();
        }

        // A new episode is told to the first batch of the group with rows of its station.
        var opened = new int[group.Count];
        foreach (var station in evaluation.OpenedAt)
        {
            var first = group.FindIndex(b => b.Rows.Any(r => r.Station == station));
            opened[Math.Max(0, first)]++;
        }

        for (var i = 0; i < group.Count; i++)
        {
            group[i].Result = new IngestResult(group[i].Rows.Count, fresh.StoredBy[i], group[i].Rows.Count - fresh.StoredBy[i], opened[i]);
        }
    }

    /// <summary>The generation each station with new readings reaches with this group: one past the one read under its lock.</summary>
    private static Dictionary<string, long> Generations(Dictionary<string, DateTime> latest, Dictionary<string, ReadingIngestor.StationRow> stations)
    {
        var generations = new Dictionary<string, long>(latest.Count, StringComparer.Ordinal);
        foreach (var station in latest.Keys)
        {
            generations[station] = stations[station].Generation + 1;
        }

        return generations;
    }

    /// <summary>Stations heard from: their latest reading, their generation raised, and their silence ended.</summary>
    private static void AddStationUpdates(NpgsqlBatch batch, Dictionary<string, DateTime> latest)
    {
        if (latest.Count == 0)
        {
            return;
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            WITH q AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS q(id, t)),
            ended AS (
                UPDATE environment.silences sl SET ended_at = q.t
                FROM q WHERE sl.station_id = q.id AND sl.ended_at IS NULL AND q.t > sl.silent_since)
            UPDATE environment.stations s SET last_reading_at = greatest(s.last_reading_at, q.t), ingest_generation = s.ingest_generation + 1
            FROM q WHERE s.id = q.id
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = [.. latest.Keys] },
                new NpgsqlParameter<DateTime[]> { TypedValue = [.. latest.Values] },
            },
        });
    }

    /// <summary>Ends the transaction without keeping anything; quietly, as it runs when something failed already.</summary>
    private static async Task RollBackAsync(NpgsqlConnection conn)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", conn);
            await rollback.ExecuteNonQueryAsync();
        }
        catch (Exception)
        {
            // What failed first is what the caller hears of; a broken connection is not returned to the pool.
        }
    }

    public ValueTask DisposeAsync() => _groups.DisposeAsync();

    /// <summary>One caller's validated batch on its way into a group, and what became of it.</summary>
    private sealed class PendingBatch(IReadOnlyList<Reading> rows, ClaimsPrincipal user, Dictionary<string, string[]> errors, DateTimeOffset receivedAt) : GroupItem
    {
        public IReadOnlyList<Reading> Rows { get; } = rows;

        public ClaimsPrincipal User { get; } = user;

        /// <summary>Row-level problems found before; the register's are added.</summary>
        public Dictionary<string, string[]> Errors { get; } = errors;

        public IngestRefusal? Refusal { get; set; }

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public IngestResult? Result { get; set; }
    }
}
