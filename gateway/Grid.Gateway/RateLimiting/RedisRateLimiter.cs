using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Grid.Gateway.RateLimiting;

/// <summary>The verdict on one request: allowed or not, the count in the window, and when the window ends.</summary>
public readonly record struct RateLimitDecision(bool Allowed, bool Enforced, long Count, TimeSpan ResetAfter);

/// <summary>
/// A fixed-window counter per key in Redis, shared by every gateway replica: one Lua script increments the
/// counter, starts the window on the first hit and returns the count with the time left. If Redis cannot
/// answer within <see cref="RateLimitOptions.RedisTimeout"/>, the request is allowed (fail open) and a
/// warning is logged, at most every 30 s: an outage of the counter store must not become an outage of the API.
/// </summary>
public sealed class RedisRateLimiter : IAsyncDisposable
{
    private const string Script = """
        local n = redis.call('INCR', KEYS[1])
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

        try
        {
            var redis = await _redis.WaitAsync(_options.RedisTimeout, ct);
            var key = new RedisKey(_options.KeyPrefix + routeId + ":" + client);
            var windowMs = (long)rule.Window.TotalMilliseconds;
            var result = (RedisResult[]?)await redis.GetDatabase()
                .ScriptEvaluateAsync(Script, [key], [windowMs])
                .WaitAsync(_options.RedisTimeout, ct);
            var count = (long)result![0];
            var ttl = TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1]));
            return new RateLimitDecision(count <= rule.PermitLimit, true, count, ttl);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            WarnFailOpen(ex);
            return new RateLimitDecision(true, false, 0, TimeSpan.Zero);
        }
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
