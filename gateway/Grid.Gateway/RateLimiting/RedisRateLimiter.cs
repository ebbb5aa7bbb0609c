using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Grid.Gateway.RateLimiting;

/// <summary>The verdict on one request: allowed or not, and when the window ends (for Retry-After).</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan ResetAfter)
{
    public static readonly RateLimitDecision Unlimited = new(true, TimeSpan.Zero);
}

/// <summary>
/// A fixed-window counter per key in Redis, shared by every gateway replica: one Lua script adds to the
/// counter, starts the window on the first hit and returns the count with the time left. A replica does not
/// ask Redis for every request: it takes a lease of permits at once (1/50 of the limit, at most
/// <see cref="RateLimitOptions.MaxLease"/>) and spends it locally until the window ends. Every permit is
/// counted in Redis before it is given out, so replicas together never exceed the limit. A replica fetches one
/// lease per client and route at a time (requests that run out together wait for that one fetch), so permits a
/// replica still holds when the window ends lapse and a busy client may be refused up to a lease per replica early.
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
            return RateLimitDecision.Unlimited;
        }

        var key = _options.KeyPrefix + routeId + ":" + client;
        var size = Math.Clamp(rule.PermitLimit / 50, 1, Math.Max(1, _options.MaxLease));
        if (size == 1)
        {
            // Small limits: every request counted in Redis, exactly.
            return await FetchAsync(key, rule, 1, ct) is { } one ? new RateLimitDecision(one.Granted > 0, one.ResetAfter) : RateLimitDecision.Unlimited;
        }

        var lease = LeaseFor(key);
        if (lease.Take(Environment.TickCount64) is { } local)
        {
            return new RateLimitDecision(local, lease.ResetAfter(Environment.TickCount64));
        }

        if (!await lease.Gate.WaitAsync(_options.RedisTimeout, ct))
        {
            WarnFailOpen(new TimeoutException("another request of this client is waiting for Redis"));
            return RateLimitDecision.Unlimited;
        }

        try
        {
            // The fetch this request waited for may have brought permits.
            if (lease.Take(Environment.TickCount64) is { } refilled)
            {
                return new RateLimitDecision(refilled, lease.ResetAfter(Environment.TickCount64));
            }

            if (await FetchAsync(key, rule, size, ct) is not { } fetched)
            {
                return RateLimitDecision.Unlimited;
            }

            // This request takes the first permit; none granted: the window is used up for every replica,
            // so refuse locally until it ends.
            lease.Refill(fetched.Granted == 0 ? Lease.UsedUp : fetched.Granted - 1, Environment.TickCount64 + (long)fetched.ResetAfter.TotalMilliseconds);
            return new RateLimitDecision(fetched.Granted > 0, fetched.ResetAfter);
        }
        finally
        {
            lease.Gate.Release();
        }
    }

    /// <summary>Adds <paramref name="size"/> to the key's counter; null when Redis did not answer (fail open).</summary>
    private async Task<(long Granted, TimeSpan ResetAfter)?> FetchAsync(string key, RateLimitRule rule, int size, CancellationToken ct)
    {
        try
        {
            var redis = await _redis!.WaitAsync(_options.RedisTimeout, ct);
            var result = (RedisResult[]?)await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [new RedisKey(key)], [(long)rule.Window.TotalMilliseconds, size])
                .WaitAsync(_options.RedisTimeout, ct);
            var count = (long)result![0];

            // These are the permits numbered count-size+1 .. count; those beyond the limit are not permits.
            var granted = Math.Clamp(rule.PermitLimit - (count - size), 0, size);
            return (granted, TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1])));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            WarnFailOpen(ex);
            return null;
        }
    }

    private Lease LeaseFor(string key)
    {
        if (_leases.TryGetValue(key, out var lease))
        {
            return lease;
        }

        if (_leases.Count > 10_000)
        {
            // Clients come and go; forget the leases of windows that are over.
            var now = Environment.TickCount64;
            foreach (var (k, l) in _leases)
            {
                if (l.IsOver(now))
                {
                    _leases.TryRemove(k, out _);
                }
            }
        }

        return _leases.GetOrAdd(key, static _ => new Lease());
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
internal sealed class Lease
{
    public const long UsedUp = -1;

    private readonly Lock _lock = new();
    private long _permits;
    private long _endsAt;

    /// <summary>Held by the one request that asks Redis for this client and route.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>True: a permit taken; false: the window is used up; null: ask Redis (no permits held, or the window is over).</summary>
    public bool? Take(long now)
    {
        lock (_lock)
        {
            if (now >= _endsAt || _permits == 0)
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

    /// <summary>The permits of a new fetch, replacing what is left (nothing, or permits of a window that is over).</summary>
    public void Refill(long permits, long endsAt)
    {
        lock (_lock)
        {
            (_permits, _endsAt) = (permits, endsAt);
        }
    }

    public TimeSpan ResetAfter(long now) => TimeSpan.FromMilliseconds(Math.Max(0, Volatile.Read(ref _endsAt) - now));

    public bool IsOver(long now) => now >= Volatile.Read(ref _endsAt);
}
