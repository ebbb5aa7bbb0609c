using System.Security.Claims;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>What happened to an accepted batch.</summary>
public sealed record IngestResult(int Received, int Stored, int Duplicates, int EpisodesOpened);

/// <summary>Why a batch was refused: status and the problems by field ("[3].unit").</summary>
public sealed record IngestRefusal(int Status, string Title, Dictionary<string, string[]> Errors);

/// <summary>
/// 在线监控数据入库: validates the whole batch against the station register first, then binary-COPYs it into readings;
/// should a row be there already (resent, or twice in the batch), it goes back to a savepoint and copies into a
/// staging table, moving the rows into readings with ON CONFLICT DO NOTHING, so a resent row is harmless; then re-judges
/// the limit rules over the stretch the new rows can change (held in memory when this process stored the station's
/// last batch, <see cref="SeriesTailCache"/>) — all in one transaction: nothing of a refused or failed batch is stored.
/// Cases for new episodes are opened just after, by <see cref="CaseFollowUpWorker"/>.
/// </summary>
internal sealed class ReadingIngestor(NpgsqlDataSource db, RuleEvaluator rules, SeriesTailCache tails, CaseFollowUpWorker followUp, IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock)
{
    internal sealed class StationRow
    {
        public string Id { get; init; } = default!;
        public string Name { get; init; } = default!;
        public string GridId { get; init; } = default!;
        public string[] GridPath { get; init; } = default!;
        public string[] Pollutants { get; init; } = default!;
        public Guid SourceId { get; init; }
    }

    public async Task<(IngestResult? Result, IngestRefusal? Refusal)> IngestAsync(IReadOnlyList<Reading> rows, ClaimsPrincipal user, CancellationToken ct)
    {
        var o = options.CurrentValue.Readings;
        var now = clock.GetUtcNow();
        var errors = ReadingRules.Validate(rows, now, TimeSpan.FromSeconds(o.FutureToleranceSeconds));

        var ids = rows.Select(r => r.Station).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct().ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var stations = (await conn.QueryAsync<StationRow>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, grid_id AS GridId, grid_path AS GridPath, pollutants AS Pollutants, source_id AS SourceId FROM environment.stations WHERE id = ANY(@ids)",
            new { ids }, cancellationToken: ct))).ToDictionary(s => s.Id);

        // Scope once per station, not once per row: a batch is thousands of rows from a handful of stations.
        var inScope = stations.Values.Where(st => user.Allows(Apis.EnvironmentRoles.Pushers, Grid.Contracts.Events.Domains.Environment, st.GridPath)).Select(st => st.Id).ToHashSet(StringComparer.Ordinal);
        var forbidden = new Dictionary<string, string[]>();
        for (var i = 0; i < rows.Count && errors.Count < 50; i++)
        {
            var r = rows[i];
            if (string.IsNullOrWhiteSpace(r.Station))
            {
                continue;
            }

            if (!stations.TryGetValue(r.Station, out var st))
            {
                errors[$"[{i}].station"] = [$"unknown station '{r.Station}'"];
            }
            else if (!inScope.Contains(st.Id))
            {
                forbidden.TryAdd($"[{i}].station", [$"station '{r.Station}' is outside this client's grid scope"]);
            }
            else if (st.Pollutants.Length > 0 && !st.Pollutants.Contains(r.Pollutant, StringComparer.OrdinalIgnoreCase) && Pollutants.Find(r.Pollutant) is not null)
            {
                errors[$"[{i}].pollutant"] = [$"station '{r.Station}' does not monitor {r.Pollutant}; it monitors {string.Join(", ", st.Pollutants)}"];
            }
        }

        if (errors.Count > 0)
        {
            return (null, new IngestRefusal(400, "The batch was refused; nothing was stored", errors));
        }

        if (forbidden.Count > 0)
        {
            return (null, new IngestRefusal(403, "The batch names stations outside this client's scope; nothing was stored", forbidden));
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        // One writer per station at a time: concurrent batches for a station would each see the other's episode as new.
        await conn.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext(s)) FROM unnest(@ids) AS s ORDER BY s",
            new { ids = ids.Order(StringComparer.Ordinal).ToArray() }, tx, cancellationToken: ct));
        // Most batches are new rows only: copy them straight into readings. A resent or repeated row makes that
        // COPY fail on the key; then, back at the savepoint, the batch goes the careful way through staging.
        var inserted = await TryCopyAllAsync(conn, tx, rows, now, ct) ?? await CopyNewAsync(conn, tx, rows, now, ct);

        // The newly stored readings of each series, in time order, and each station's latest.
        var added = new Dictionary<(string Station, string Pollutant), List<Sample>>();
        var latest = new Dictionary<string, DateTime>();
        foreach (var (station, pollutant, time, value) in inserted)
        {
            if (!added.TryGetValue((station, pollutant), out var series))
            {
                added[(station, pollutant)] = series = [];
            }

            // As stored: timestamptz keeps microseconds.
            series.Add(new Sample(new DateTimeOffset(time.Ticks - (time.Ticks % 10), TimeSpan.Zero), value));
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
            var written = latest.Keys.ToArray();
            var times = latest.Values.ToArray();
            // A station heard from again ends its silence.
            foreach (var (id, generation) in await conn.QueryAsync<(string, long)>(new CommandDefinition("""
                WITH q AS (SELECT * FROM unnest(@ids, @times) AS q(id, t)),
                ended AS (
                    UPDATE environment.silences sl SET ended_at = q.t
                    FROM q WHERE sl.station_id = q.id AND sl.ended_at IS NULL AND q.t > sl.silent_since)
                UPDATE environment.stations s SET last_reading_at = greatest(s.last_reading_at, q.t), ingest_generation = s.ingest_generation + 1
                FROM q WHERE s.id = q.id
                RETURNING s.id, s.ingest_generation
                """, new { ids = written, times }, tx, cancellationToken: ct)))
            {
                generations[id] = generation;
            }
        }

        var evaluation = await rules.EvaluateAsync(conn, tx, added, generations, ct);
        await tx.CommitAsync(ct);
        tails.Remember(generations, evaluation.Judged, added.Keys);

        if (evaluation.Opened > 0)
        {
            followUp.Request();
        }

        return (new IngestResult(rows.Count, inserted.Count, rows.Count - inserted.Count, evaluation.Opened), null);
    }

    private static async Task<List<(string Station, string Pollutant, DateTime Time, double Value)>?> TryCopyAllAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<Reading> rows, DateTimeOffset now, CancellationToken ct)
    {
        await tx.SaveAsync("copy_all", ct);
        try
        {
            await CopyAsync(conn, "environment.readings (station_id, pollutant, time, value, unit, received_at)", rows, now, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("copy_all", ct);
            return null;
        }

        await tx.ReleaseAsync("copy_all", ct);
        return rows.Select(r => (r.Station, Pollutants.Find(r.Pollutant)!.Code, r.Time.UtcDateTime, r.Value)).ToList();
    }

    private static async Task<List<(string Station, string Pollutant, DateTime Time, double Value)>> CopyNewAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<Reading> rows, DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE reading_staging (station_id text, pollutant text, time timestamptz, value double precision, unit text, received_at timestamptz) ON COMMIT DROP
            """, transaction: tx, cancellationToken: ct));
        await CopyAsync(conn, "reading_staging (station_id, pollutant, time, value, unit, received_at)", rows, now, ct);

        // DISTINCT ON: the same row twice in one batch would otherwise make ON CONFLICT fail ("affect row a second time").
        return (await conn.QueryAsync<(string Station, string Pollutant, DateTime Time, double Value)>(new CommandDefinition("""
            INSERT INTO environment.readings (station_id, pollutant, time, value, unit, received_at)
            SELECT DISTINCT ON (station_id, pollutant, time) station_id, pollutant, time, value, unit, received_at
            FROM reading_staging
            ORDER BY station_id, pollutant, time
            ON CONFLICT (station_id, pollutant, time) DO NOTHING
            RETURNING station_id, pollutant, time, value
            """, transaction: tx, cancellationToken: ct))).ToList();
    }

    private static async Task CopyAsync(NpgsqlConnection conn, string target, IReadOnlyList<Reading> rows, DateTimeOffset now, CancellationToken ct)
    {
        var receivedAt = now.UtcDateTime;
        await using var writer = await conn.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", ct);
        foreach (var r in rows)
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

        await writer.CompleteAsync(ct);
    }
}
