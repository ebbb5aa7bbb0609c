using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// The recent stretch of every series this process has judged, held per station with the station's ingestion
/// generation. Every stored batch, from any replica, raises the generation under the station's lock; a tail is
/// used only when it was left at the generation the batch found, so it is then exactly what the database holds,
/// and judging a batch needs no read-back of what the last batch already judged. Otherwise the stretch is read
/// back as before. Only committed batches are remembered.
/// </summary>
internal sealed class SeriesTailCache(IOptionsMonitor<EnvironmentOptions> options)
{
    private sealed class StationTails(long generation)
    {
        public long Generation { get; set; } = generation;

        public Dictionary<string, SeriesTail> Series { get; } = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, StationTails> _stations = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// The stored series from <paramref name="from"/> on with <paramref name="added"/> in it, if what is held of it
    /// is current as of <paramref name="generation"/> and reaches back that far; else null (read it back).
    /// </summary>
    public List<Sample>? Series(string station, string pollutant, long generation, DateTimeOffset from, IReadOnlyList<Sample> added)
    {
        lock (_lock)
        {
            return _stations.TryGetValue(station, out var s) && s.Generation == generation && s.Series.TryGetValue(pollutant, out var tail)
                ? tail.With(from, added)
                : null;
        }
    }

    /// <summary>
    /// After commit: the generation each station reached with the batch (it came from the one before),
    /// the series as judged (from where, the readings, how much to keep), and the series that got new readings.
    /// </summary>
    public void Remember(IReadOnlyDictionary<string, long> generations,
        IEnumerable<(string Station, string Pollutant, DateTimeOffset From, List<Sample> Series, TimeSpan Keep)> judged,
        IEnumerable<(string Station, string Pollutant)> changed)
    {
        lock (_lock)
        {
            var held = new Dictionary<string, StationTails>(StringComparer.Ordinal);
            foreach (var (station, generation) in generations)
            {
                if (!_stations.TryGetValue(station, out var s) || s.Generation != generation - 1)
                {
                    // Another writer came between: nothing held of this station is known to be current.
                    if (!_stations.ContainsKey(station) && _stations.Count >= options.CurrentValue.Rules.TailCacheStations)
                    {
                        _stations.Clear();
                    }

                    s = new StationTails(generation);
                    _stations[station] = s;
                }

                s.Generation = generation;
                held[station] = s;
            }

            foreach (var (station, pollutant) in changed)
            {
                held.GetValueOrDefault(station)?.Series.Remove(pollutant);
            }

            foreach (var (station, pollutant, from, series, keep) in judged)
            {
                if (held.TryGetValue(station, out var s))
                {
                    var tail = new SeriesTail(from, series);
                    tail.Trim(keep);
                    s.Series[pollutant] = tail;
                }
            }
        }
    }
}
