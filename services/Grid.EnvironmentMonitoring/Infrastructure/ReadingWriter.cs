using System.Security.Claims;
using Dapper;
using Grid.Casework.Infrastructure;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// 合并入库: checks batches against the station register and stores them through Grid.Casework's <see cref="GroupCommitter{TItem}"/>, so that batches
/// arriving while the writers are busy share one transaction — one advisory lock round, one binary COPY, one rule
/// evaluation over every series they touch, one commit — and each caller is answered only once its rows are durable.
/// The register is read once per group; a batch it refuses is refused alone. Should a group fail in the database, each
/// of its batches is written again alone, so that a bad batch fails by itself.
/// </summary>
/// <remarks>
/// Inside the transaction: advisory lock per station (sorted), COPY straight into readings inside a savepoint; if a
/// row is there already (resent, or twice in the group) back to the savepoint, COPY into a staging table and move the
/// rows with ON CONFLICT DO NOTHING; then the stations' generations, silences ended, and the limit rules re-judged over
/// the stretch the new rows can change. Cases for new episodes are opened just after, by <see cref="CaseFollowUpWorker"/>.
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
        var named = all.SelectMany(b => b.Rows).Select(r => r.Station).Where(s => !string.IsNullOrWhiteSpace(s))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One round trip: the register; one writer per station at a time (concurrent groups for a station would each
        // see the other's episode as new), in order; and the savepoint the COPY may go back to.
        Dictionary<string, ReadingIngestor.StationRow> stations;
        await using (var first = await conn.QueryMultipleAsync(new CommandDefinition("""
            SELECT id AS Id, name AS Name, grid_id AS GridId, grid_path AS GridPath, pollutants AS Pollutants, source_id AS SourceId
            FROM environment.stations WHERE id = ANY(@named);
            SELECT count(pg_advisory_xact_lock(hashtext(s))) FROM (SELECT s FROM unnest(@named) AS s ORDER BY s OFFSET 0) q;
            SAVEPOINT copy_all;
            """, new { named }, tx, cancellationToken: ct)))
        {
            stations = (await first.ReadAsync<ReadingIngestor.StationRow>()).ToDictionary(s => s.Id, StringComparer.Ordinal);
            await first.ReadAsync<long>();
        }

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
            return;
        }

        // Most groups are new rows only: copy them straight into readings. A resent or repeated row makes that COPY
        // fail on the key; then, back at the savepoint, the group goes the careful way through staging.
        var inserted = await TryCopyAllAsync(conn, tx, group, ct);
        var storedBy = new int[group.Count];
        if (inserted is null)
        {
            inserted = await CopyNewAsync(conn, tx, group, ct);
            // A row sent by two batches of the group counts as stored for the first.
            var owner = new Dictionary<(string, string, DateTime), int>();
            for (var i = 0; i < group.Count; i++)
            {
                foreach (var r in group[i].Rows)
                {
                    owner.TryAdd((r.Station, Pollutants.Find(r.Pollutant)!.Code, Stored(r.Time.UtcDateTime)), i);
                }
            }

            foreach (var (station, pollutant, time, _) in inserted)
            {
                storedBy[owner[(station, pollutant, Stored(time))]]++;
            }
        }
        else
        {
            for (var i = 0; i < group.Count; i++)
            {
                storedBy[i] = group[i].Rows.Count;
            }
        }

        // The newly stored readings of each series, in time order, and each station's latest.
        var added = new Dictionary<(string Station, string Pollutant), List<Sample>>();
        var latest = new Dictionary<string, DateTime>();
        foreach (var (station, pollutant, time, value) in inserted)
        {
            if (!added.TryGetValue((station, pollutant), out var series))
            {
                added[(station, pollutant)] = series = [];
            }

            series.Add(new Sample(new DateTimeOffset(Stored(time), TimeSpan.Zero), value));
            if (!latest.TryGetValue(station, out var max) || time > max)
            {
                latest[station] = time;
            }
        }

        foreach (var series in added.Values)
        {
            series.Sort((a, b) => a.Time.CompareTo(b.Time));
        }

        var generations = new Dictionary<string, long>(StringComparer.Ordinal);
        if (latest.Count > 0)
        {
            // A station heard from again ends its silence.
            foreach (var (id, generation) in await conn.QueryAsync<(string, long)>(new CommandDefinition("""
                WITH q AS (SELECT * FROM unnest(@ids, @times) AS q(id, t)),
                ended AS (
                    UPDATE environment.silences sl SET ended_at = q.t
                    FROM q WHERE sl.station_id = q.id AND sl.ended_at IS NULL AND q.t > sl.silent_since)
                UPDATE environment.stations s SET last_reading_at = greatest(s.last_reading_at, q.t), ingest_generation = s.ingest_generation + 1
                FROM q WHERE s.id = q.id
                RETURNING s.id, s.ingest_generation;
                RELEASE SAVEPOINT copy_all;
                """, new { ids = latest.Keys.ToArray(), times = latest.Values.ToArray() }, tx, cancellationToken: ct)))
            {
                generations[id] = generation;
            }
        }

        var evaluation = await _rules.EvaluateAsync(conn, tx, added, generations, ct);
        await tx.CommitAsync(ct);
        _tails.Remember(generations, evaluation.Judged, added.Keys);
        if (evaluation.Opened > 0)
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
            group[i].Result = new IngestResult(group[i].Rows.Count, storedBy[i], group[i].Rows.Count - storedBy[i], opened[i]);
        }
    }

    /// <summary>As stored: timestamptz keeps microseconds.</summary>
    private static DateTime Stored(DateTime t) => new(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);

    private static async Task<List<(string Station, string Pollutant, DateTime Time, double Value)>?> TryCopyAllAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<PendingBatch> group, CancellationToken ct)
    {
        // The savepoint was set with the locks; it is released with the stations' update.
        try
        {
            await CopyAsync(conn, "environment.readings (station_id, pollutant, time, value, unit, received_at)", group, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("copy_all", ct);
            return null;
        }

        return group.SelectMany(b => b.Rows).Select(r => (r.Station, Pollutants.Find(r.Pollutant)!.Code, r.Time.UtcDateTime, r.Value)).ToList();
    }

    private static async Task<List<(string Station, string Pollutant, DateTime Time, double Value)>> CopyNewAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<PendingBatch> group, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE reading_staging (station_id text, pollutant text, time timestamptz, value double precision, unit text, received_at timestamptz) ON COMMIT DROP
            """, transaction: tx, cancellationToken: ct));
        await CopyAsync(conn, "reading_staging (station_id, pollutant, time, value, unit, received_at)", group, ct);

        // DISTINCT ON: the same row twice in one group would otherwise make ON CONFLICT fail ("affect row a second time").
        return (await conn.QueryAsync<(string Station, string Pollutant, DateTime Time, double Value)>(new CommandDefinition("""
            INSERT INTO environment.readings (station_id, pollutant, time, value, unit, received_at)
            SELECT DISTINCT ON (station_id, pollutant, time) station_id, pollutant, time, value, unit, received_at
            FROM reading_staging
            ORDER BY station_id, pollutant, time
            ON CONFLICT (station_id, pollutant, time) DO NOTHING
            RETURNING station_id, pollutant, time, value
            """, transaction: tx, cancellationToken: ct))).ToList();
    }

    private static async Task CopyAsync(NpgsqlConnection conn, string target, IReadOnlyList<PendingBatch> group, CancellationToken ct)
    {
        await using var writer = await conn.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", ct);
        foreach (var batch in group)
        {
            var receivedAt = batch.ReceivedAt.UtcDateTime;
            foreach (var r in batch.Rows)
            {
                var pollutant = Pollutants.Find(r.Pollutant)!;
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(r.Station, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(pollutant.Code, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(r.Time.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await writer.WriteAsync(r.Value, NpgsqlDbType.Double, ct);
                await writer.WriteAsync(pollutant.Unit, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(receivedAt, NpgsqlDbType.TimestampTz, ct);
            }
        }

        await writer.CompleteAsync(ct);
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
