using Grid.EnvironmentMonitoring.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// The rows of a group's accepted batches as the columns of <c>readings</c> (pollutant and unit as stored), sent as
/// arrays in one statement; and, once stored, the new readings of each series in time order and each station's latest.
/// </summary>
internal sealed class GroupRows
{
    private readonly string[] _stations, _pollutants, _units;
    private readonly DateTime[] _times, _received;
    private readonly double[] _values;
    private readonly int[] _batches;

    private readonly int _batchCount;

    /// <param name="group">Each accepted batch's rows (checked already) and when it was received, in the group's order.</param>
    public GroupRows(IReadOnlyList<(IReadOnlyList<Reading> Rows, DateTimeOffset ReceivedAt)> group)
    {
        _batchCount = group.Count;
        var count = 0;
        foreach (var batch in group)
        {
            count += batch.Rows.Count;
        }

        (_stations, _pollutants, _units) = (new string[count], new string[count], new string[count]);
        (_times, _received, _values, _batches) = (new DateTime[count], new DateTime[count], new double[count], new int[count]);
        var i = 0;
        for (var b = 0; b < group.Count; b++)
        {
            var received = group[b].ReceivedAt.UtcDateTime;
            foreach (var r in group[b].Rows)
            {
                var pollutant = Pollutants.Find(r.Pollutant)!;
                (_stations[i], _pollutants[i], _units[i]) = (r.Station, pollutant.Code, pollutant.Unit);
                (_times[i], _received[i], _values[i], _batches[i]) = (r.Time.UtcDateTime, received, r.Value, b);
                i++;
            }
        }
    }

    /// <summary>
    /// <paramref name="sql"/> over the columns: $1 station, $2 pollutant, $3 time, $4 value, $5 unit, $6 received, and
    /// with <paramref name="withBatch"/> $7 the batch's place in the group.
    /// </summary>
    public NpgsqlBatchCommand Insert(string sql, bool withBatch = false)
    {
        var command = new NpgsqlBatchCommand(sql)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = _stations },
                new NpgsqlParameter<string[]> { TypedValue = _pollutants },
                new NpgsqlParameter<DateTime[]> { TypedValue = _times, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new NpgsqlParameter<double[]> { TypedValue = _values },
                new NpgsqlParameter<string[]> { TypedValue = _units },
                new NpgsqlParameter<DateTime[]> { TypedValue = _received, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            },
        };
        if (withBatch)
        {
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = _batches });
        }

        return command;
    }

    /// <summary>What a group stored: the new readings per series (time order), each station's latest, and how many rows each batch stored.</summary>
    public sealed record Stored(Dictionary<(string Station, string Pollutant), List<Sample>> Added, Dictionary<string, DateTime> Latest, int[] StoredBy);

    /// <summary>Every row stored (no row was there before).</summary>
    public Stored AsStored()
    {
        var storedBy = new int[_batchCount];
        foreach (var b in _batches)
        {
            storedBy[b]++;
        }

        return Collect(Enumerable.Range(0, _stations.Length).Select(i => (_stations[i], _pollutants[i], _times[i], _values[i])), storedBy);
    }

    /// <summary>
    /// The rows the insert returned (the others were there already, or sent twice): a row sent by two batches of the
    /// group counts as stored for the first.
    /// </summary>
    public Stored AsStored(IReadOnlyList<(string Station, string Pollutant, DateTime Time, double Value)> inserted)
    {
        var owner = new Dictionary<(string, string, DateTime), int>();
        for (var i = 0; i < _stations.Length; i++)
        {
            owner.TryAdd((_stations[i], _pollutants[i], AsStoredTime(_times[i])), _batches[i]);
        }

        var storedBy = new int[_batchCount];
        foreach (var (station, pollutant, time, _) in inserted)
        {
            storedBy[owner[(station, pollutant, AsStoredTime(time))]]++;
        }

        return Collect(inserted, storedBy);
    }

    private static Stored Collect(IEnumerable<(string Station, string Pollutant, DateTime Time, double Value)> rows, int[] storedBy)
    {
        var added = new Dictionary<(string Station, string Pollutant), List<Sample>>();
        var latest = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var (station, pollutant, time, value) in rows)
        {
            if (!added.TryGetValue((station, pollutant), out var series))
            {
                added[(station, pollutant)] = series = [];
            }

            series.Add(new Sample(new DateTimeOffset(AsStoredTime(time), TimeSpan.Zero), value));
            if (!latest.TryGetValue(station, out var max) || time > max)
            {
                latest[station] = time;
            }
        }

        foreach (var series in added.Values)
        {
            series.Sort((a, b) => a.Time.CompareTo(b.Time));
        }

        return new Stored(added, latest, storedBy);
    }

    /// <summary>As stored: timestamptz keeps microseconds.</summary>
    private static DateTime AsStoredTime(DateTime t) => new(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);
}
