namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>Section <c>Environment</c> of the configuration.</summary>
public sealed class EnvironmentOptions
{
    public ReadingOptions Readings { get; set; } = new();

    public RuleOptions Rules { get; set; } = new();

    public SilenceOptions Silence { get; set; } = new();

    public ComplianceOptions Compliance { get; set; } = new();

    /// <summary>Stream plausible readings for the demo stations (only together with Grid:SeedDemoData).</summary>
    public bool SimulateStations { get; set; }

    /// <summary>Seconds between simulated batches.</summary>
    public int SimulationIntervalSeconds { get; set; } = 10;
}

public sealed class ReadingOptions
{
    /// <summary>Largest batch body accepted; a larger one is refused whole with 413.</summary>
    public long MaxBatchBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most rows in one batch; more is refused whole with 413.</summary>
    public int MaxBatchRows { get; set; } = 100_000;

    /// <summary>How far ahead of the server clock a reading's time may be (station clocks drift).</summary>
    public int FutureToleranceSeconds { get; set; } = 300;

    /// <summary>Transactions storing readings at once; batches arriving while all are busy are stored together by the next free one.</summary>
    public int IngestWriters { get; set; } = 4;

    /// <summary>Most batches stored in one transaction.</summary>
    public int MaxGroupBatches { get; set; } = 64;

    /// <summary>Most rows one query returns.</summary>
    public int MaxQueryRows { get; set; } = 10_000;
}

public sealed class RuleOptions
{
    /// <summary>An episode ends after the readings have stayed under the limit this long.</summary>
    public int ClearAfterMinutes { get; set; } = 60;

    /// <summary>Extra history loaded before the earliest new reading when re-evaluating (covers consecutive runs).</summary>
    public int LookbackMinutes { get; set; } = 60;

    /// <summary>Stations whose recent readings are held in memory for judging the next batch (a few hours each).</summary>
    public int TailCacheStations { get; set; } = 10_000;
}

public sealed class SilenceOptions
{
    /// <summary>A station with no reading for this long is silent (断线), unless the station sets its own value.</summary>
    public int SilentAfterMinutes { get; set; } = 120;

    /// <summary>How often the watcher looks.</summary>
    public int CheckEverySeconds { get; set; } = 60;
}

public sealed class ComplianceOptions
{
    /// <summary>Depth in the grid path of township grids: county → area (片区) → township → village, county first.</summary>
    public int TownshipDepth { get; set; } = 3;

    /// <summary>Depth in the grid path of village grids.</summary>
    public int VillageDepth { get; set; } = 4;

    /// <summary>每月至少开展1次环境保护巡查 (townships).</summary>
    public int TownshipPatrolsPerMonth { get; set; } = 1;

    /// <summary>每月至少进行2次现场检查 of every source (villages).</summary>
    public int VillageChecksPerSourcePerMonth { get; set; } = 2;

    /// <summary>A problem found on patrol must be reported within this many hours (发现环境违法企业,及时报告).</summary>
    public int ReportWithinHours { get; set; } = 24;
}
