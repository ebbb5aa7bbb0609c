namespace Grid.Gateway.RateLimiting;

/// <summary>Rate limits (限流) under <c>Gateway:RateLimit</c>: one fixed window per client and route, counted in Redis.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Gateway:RateLimit";

    /// <summary>Off switch for sites that limit elsewhere; on by default whenever <c>ConnectionStrings:cache</c> is set.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Prefix of the Redis keys, so that several suites (or tests) can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "grid:ratelimit:";

    /// <summary>How long the gateway waits for Redis before letting the request through unlimited (fail open).</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most permits a replica takes from Redis at once (see <see cref="RedisRateLimiter"/>); 1 counts every request in Redis.</summary>
    public int MaxLease { get; set; } = 100;

    /// <summary>The rule of every route that has none of its own.</summary>
    public RateLimitRule Default { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Rules by route id (labor, organization-token, dashboard ...), overriding <see cref="Default"/>.</summary>
    public Dictionary<string, RateLimitRule> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        // Logging in is where passwords get guessed.
        ["organization-token"] = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) },
    };

    public RateLimitRule RuleFor(string routeId) => Routes.GetValueOrDefault(routeId) ?? Default;
}

/// <summary>At most <see cref="PermitLimit"/> requests per <see cref="Window"/>; 0 means unlimited.</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
