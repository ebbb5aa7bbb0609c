namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>How a limit is judged against the readings.</summary>
public enum LimitKind
{
    /// <summary>瞬时值: any single reading above the limit.</summary>
    Instant,

    /// <summary>均值: the mean of the readings in the last N minutes (window ending at the reading, inclusive) above the limit.</summary>
    RollingAverage,

    /// <summary>连续超标: K readings in a row above the limit; the K-th one is the breach.</summary>
    Consecutive,
}

/// <summary>排放限值: a limit for one pollutant at one discharge point (排放口), judged one way.</summary>
public sealed record LimitRule
{
    public Guid Id { get; init; }

    public Guid DischargePointId { get; init; }

    public string Pollutant { get; init; } = "";

    public LimitKind Kind { get; init; }

    /// <summary>The limit; a value equal to it complies, only a value strictly above it exceeds.</summary>
    public double Limit { get; init; }

    /// <summary>Window of a <see cref="LimitKind.RollingAverage"/> rule, minutes.</summary>
    public int? WindowMinutes { get; init; }

    /// <summary>K of a <see cref="LimitKind.Consecutive"/> rule.</summary>
    public int? ConsecutiveCount { get; init; }

    /// <summary>Why a rule cannot be used, or null when it is well formed.</summary>
    public static (string Field, string Message)? Problem(string pollutant, LimitKind kind, double limit, int? window, int? count)
    {
        if (Pollutants.Find(pollutant) is null)
        {
            return ("pollutant", $"unknown pollutant '{pollutant}'; known: {string.Join(", ", Pollutants.All.Select(p => p.Code))}");
        }

        if (!double.IsFinite(limit) || limit < 0)
        {
            return ("limit", "must be a finite number ≥ 0");
        }

        return kind switch
        {
            LimitKind.RollingAverage when window is null or < 1 or > 1440 => ("windowMinutes", "an average rule needs a window of 1..1440 minutes"),
            LimitKind.Consecutive when count is null or < 2 or > 1000 => ("consecutiveCount", "a consecutive rule needs a count of 2..1000"),
            _ => null,
        };
    }

    /// <summary>How far back the rule must see to judge a reading: the average window, otherwise nothing.</summary>
    public TimeSpan Reach => Kind == LimitKind.RollingAverage ? TimeSpan.FromMinutes(WindowMinutes ?? 0) : TimeSpan.Zero;
}
