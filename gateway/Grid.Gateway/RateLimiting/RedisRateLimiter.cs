using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Grid.Gateway.RateLimiting;

/// <summary>The verdict on one request: allowed or not, the count in the window, and when the window ends.</summary>
public readonly record struct RateLimitDecision(bool Allowed, bool Enforced, long Count, TimeSpan ResetAfter);

/// <summary>
/// A fixed-window counter per key in Redis, shared by every gateway replica: one Lua script adds to the
/// counter, starts the window on the first hit and returns the count with the time left. A replica does not
/// ask Redis for every request: it takes a lease of permits at once (1/50 of the limit, at most
/// <see cref="RateLimitOptions.MaxLease"/>) and spends it locally until the window ends. Every permit is
/// counted in Redis before it is given out, so replicas together never exceed the limit; permits a replica
/// still holds when the window ends lapse, and requests that run out of permits at the same moment each fetch
/// a lease, so a busy client may be refused up to a lease per request in flight early.
/// Limits under 100 are counted one request at a time, exactly. If Redis cannot
/// answer within <see cref="RateLimitOptions.RedisTimeout"/>, the request is allowed (fail open) and a
/// warning is logged, at most every 30 s: an outage of the counter store must not become an outage of the API.
/// </summary>
public sealed class RedisRateLimiter : IAsyncDisposable
{
    private const string Script = """
        local n = redis.call('INCRBY', KEYS[1], ARGV[2])
        local ttl = redis.call('PTTL', KEYS[1])
        if n == 1 or ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return {n, ttl}
        """;

    private readonly RateLimitOptions _options;
    private readonly ILogger<RedisRateLimiter> _logger;
    private readonly Task<ConnectionMultiplexer>? _redis;
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private long _lastWarningTicks;

    public RedisRateLimiter(IConfiguration configuration, IOptions<RateLimitOptions> options, ILogger<RedisRateLimiter> logger)
    {
        _options = options.Value;
        _logger = logger;
        var connectionString = configuration.GetConnectionString(DependencyHealthChecks.Cache);
        if (!_options.Enabled || string.IsNullOrWhiteSpace(connectionString))
        {
            logger.LogWarning("Rate limits are OFF: {Reason}", _options.Enabled ? "no ConnectionStrings:cache (Redis) configured" : "Gateway:RateLimit:Enabled is false");
            return;
        }

        var redisOptions = ConfigurationOptions.Parse(connectionString);
        redisOptions.AbortOnConnectFail = false; // start even when Redis is down; reconnect in the background
        redisOptions.ConnectTimeout = 2000;
        redisOptions.AsyncTimeout = (int)Math.Max(50, _options.RedisTimeout.TotalMilliseconds);
        redisOptions.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected, fail at once instead of queueing
        _redis = ConnectionMultiplexer.ConnectAsync(redisOptions); // connects while the gateway starts
    }

    public bool IsActive => _redis is not null;

    /// <summary>Counts one request of <paramref name="client"/> on <paramref name="routeId"/> against the route's rule.</summary>
    public async ValueTask<RateLimitDecision> AcquireAsync(string routeId, string client, CancellationToken ct)
    {
        var rule = _options.RuleFor(routeId);
        if (_redis is null || rule.PermitLimit <= 0)
        {
            return new RateLimitDecision(true, false, 0, TimeSpan.Zero);
        }

        var key = _options.KeyPrefix + routeId + ":" + client;
        var lease = Math.Clamp(rule.PermitLimit / 50, 1, Math.Max(1, _options.MaxLease));
        var now = Environment.TickCount64;
        if (lease > 1 && _leases.TryGetValue(key, out var held) && held.Take(now) is { } local)
        {
            return new RateLimitDecision(local, true, 0, TimeSpan.FromMilliseconds(held.EndsAt - now));
        }

        try
        {
            var redis = await _redis.WaitAsync(_options.RedisTimeout, ct);
            var windowMs = (long)rule.Window.TotalMilliseconds;
            var result = (RedisResult[]?)await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [new RedisKey(key)], [windowMs, lease])
                .WaitAsync(_options.RedisTimeout, ct);
            var count = (long)result![0];
            var ttlMs = Math.Max(0, (long)result[1]);

            // This lease holds the permits numbered count-lease+1 .. count; those beyond the limit are not permits.
            var granted = Math.Clamp(rule.PermitLimit - (count - lease), 0, lease);
            if (lease > 1)
            {
                // None granted: the window is used up for every replica, so refuse locally until it ends.
                KeepLease(key, granted == 0 ? Lease.UsedUp : granted - 1, now + ttlMs, now);
            }

            return new RateLimitDecision(granted > 0, true, count - lease + 1, TimeSpan.FromMilliseconds(ttlMs));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            WarnFailOpen(ex);
            return new RateLimitDecision(true, false, 0, TimeSpan.Zero);
        }
    }

    private void KeepLease(string key, long permits, long endsAt, long now)
    {
        if (_leases.Count > 10_000)
        {
            // Clients come and go; forget the leases of windows that are over.
            foreach (var (k, l) in _leases)
            {
                if (l.EndsAt <= now)
                {
                    _leases.TryRemove(k, out _);
                }
            }
        }

        _leases.AddOrUpdate(key, static (_, a) => new Lease(a.permits, a.endsAt), static (_, l, a) => l.Add(a.permits, a.endsAt, a.now), (permits, endsAt, now));
    }

    /// <summary>Pings Redis, for the gateway's health report.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken ct)
    {
        if (_redis is null)
        {
            return TimeSpan.Zero;
        }

        var redis = await _redis.WaitAsync(_options.RedisTimeout, ct);
        return await redis.GetDatabase().PingAsync().WaitAsync(_options.RedisTimeout, ct);
    }

    private void WarnFailOpen(Exception ex)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if ((last == 0 || now - last > 30_000) && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            _logger.LogWarning("Rate limits are NOT enforced: Redis did not answer ({Error}); requests pass unlimited until it does", ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            try
            {
                await (await _redis).DisposeAsync();
            }
            catch (RedisException)
            {
            }
        }
    }
}

/// <summary>Permits of one window taken from Redis and not yet spent by this replica, or the mark that the window is used up.</summary>
internal sealed class Lease(long permits, long endsAt)
{
    public const long UsedUp = -1;

    private readonly Lock _gate = new();
    private long _permits = permits;

    /// <summary>When the window of these permits ends (<see cref="Environment.TickCount64"/>).</summary>
    public long EndsAt { get; private set; } = endsAt;

    /// <summary>True: a permit taken; false: the window is used up; null: ask Redis (no permits held, or the window is over).</summary>
    public bool? Take(long now)
    {
        lock (_gate)
        {
            if (now >= EndsAt || _permits == 0)
            {
                return null;
            }

            if (_permits == UsedUp)
            {
                return false;
            }

            _permits--;
            return true;
        }
    }

    /// <summary>Adds a new lease; once the old window is over (or is found used up), the new state replaces it.</summary>
    public Lease Add(long permits, long endsAt, long now)
    {
        lock (_gate)
        {
            if (now >= EndsAt || permits == UsedUp || _permits == UsedUp)
            {
                (_permits, EndsAt) = (permits, endsAt);
            }
            else
            {
                _permits += permits;
            }
        }

        return this;
    }
}
