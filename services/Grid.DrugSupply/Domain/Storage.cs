namespace Grid.DrugSupply.Domain;

/// <summary>储存区: normal storage (常温, 10–30 °C by default) or the cold chain (冷链, 2–8 °C).</summary>
public enum StorageZone
{
    Normal,
    Cold,
}

/// <summary>温湿度记录: one reading of a cabinet's or pharmacy's storage.</summary>
public sealed class StorageReading
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    public StorageZone Zone { get; set; }

    public DateTimeOffset At { get; set; }

    public decimal Temperature { get; set; }

    public decimal Humidity { get; set; }

    public bool InBand { get; set; }
}

/// <summary>
/// 超标时段: an unbroken run of out-of-band readings of one zone of one point. It opens a case once it has lasted the
/// grace period (one case per episode however many readings it spans); an in-band reading ends it.
/// </summary>
public sealed class StorageEpisode
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    public StorageZone Zone { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset LastOutAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public int Readings { get; set; }

    /// <summary>What was out, as first seen (e.g. "temperature 12.5 °C outside 2–8").</summary>
    public string Breach { get; set; } = "";

    public Guid? CaseId { get; set; }

    public string[] GridPath { get; set; } = [];
}

/// <summary>The bands and grace period applied to readings, from <see cref="StorageRules"/>.</summary>
public sealed class StorageBands(StorageRules rules)
{
    public TimeSpan Grace => rules.Grace;

    /// <summary>Null when the reading is within every band, else what is out.</summary>
    public string? OutOfBand(StorageZone zone, decimal temperature, decimal humidity)
    {
        var t = zone == StorageZone.Cold ? rules.Cold : rules.Normal;
        if (!t.Holds(temperature))
        {
            return $"temperature {temperature} °C outside {t.Min}–{t.Max} °C";
        }

        return rules.Humidity.Holds(humidity) ? null : $"humidity {humidity} % outside {rules.Humidity.Min}–{rules.Humidity.Max} %";
    }

    /// <summary>
    /// Applies one point-and-zone's new readings, oldest first, to its open episode (or none): returns the episode open
    /// after them (null when the last reading was in band) and those that ended.
    /// </summary>
    public (StorageEpisode? Open, List<StorageEpisode> Ended) Apply(StorageEpisode? open, IEnumerable<StorageReading> readings, Func<StorageReading, StorageEpisode> start)
    {
        var ended = new List<StorageEpisode>();
        foreach (var r in readings)
        {
            if (r.InBand)
            {
                if (open is not null && r.At >= open.LastOutAt)
                {
                    open.EndedAt = r.At;
                    ended.Add(open);
                    open = null;
                }

                continue;
            }

            open ??= start(r);
            open.LastOutAt = r.At > open.LastOutAt ? r.At : open.LastOutAt;
            open.Readings++;
        }

        return (open, ended);
    }

    /// <summary>An episode is a case once it has lasted the grace period.</summary>
    public bool Due(StorageEpisode e) => e.CaseId is null && e.LastOutAt - e.StartedAt >= rules.Grace;
}
