namespace Grid.Casework.Domain;

/// <summary>
/// 离线补报: a report carried by hand from an offline device keeps its original time (OccurredAt) next to
/// the server's receipt time, within sanity limits: not in the future (beyond a small clock skew) and not
/// older than a configurable window.
/// </summary>
public static class OfflineReportPolicy
{
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Null when acceptable, else why not.</summary>
    public static string? Check(DateTimeOffset occurredAt, DateTimeOffset receivedAt, TimeSpan maxAge)
    {
        if (occurredAt > receivedAt + AllowedClockSkew)
        {
            return "must not be in the future";
        }

        if (occurredAt < receivedAt - maxAge)
        {
            return $"must not be older than {maxAge.TotalDays:0.#} days";
        }

        return null;
    }
}
