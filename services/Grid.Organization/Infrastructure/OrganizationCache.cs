using Google.Protobuf;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// Answers of the gRPC lookups, cached in Redis as protobuf bytes, with a small in-process copy in front
/// (hot grids are asked for constantly; a Redis round trip costs more than the PostGIS query it saves). Every key carries a generation number;
/// a change to grids, staff or assignments bumps the generation (INCR) and announces it on a Redis channel,
/// so every instance stops reading the old keys at once and they expire on their own. Coarse, but the
/// organization changes rarely and is read constantly. Without <c>ConnectionStrings:cache</c> nothing is cached.
/// </summary>
public sealed class OrganizationCache : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LocalTtl = TimeSpan.FromSeconds(60);
    private readonly ConnectionMultiplexer? _redis;

    // Keys carry the generation, so a bumped generation makes every local entry unreachable at once; clearing
    // only frees the memory. Bytes, not messages: callers may change the message they are given.
    private readonly MemoryCache _local = new(new MemoryCacheOptions { SizeLimit = 200_000 });
    private readonly string _prefix;
    private readonly ILogger<OrganizationCache> _logger;
    private long _generation;

    public OrganizationCache(IConfiguration configuration, ILogger<OrganizationCache> logger)
    {
        _logger = logger;
        _prefix = configuration["Grid:CachePrefix"] is { Length: > 0 } p ? p : "org";
        if (configuration.GetConnectionString("cache") is not { Length: > 0 } cs)
        {
            return;
        }

        var options = ConfigurationOptions.Parse(cs);
        options.AbortOnConnectFail = false;
        _redis = ConnectionMultiplexer.Connect(options);
        try
        {
            _generation = (long?)_redis.GetDatabase().StringGet(GenerationKey) ?? 0;
            _redis.GetSubscriber().Subscribe(RedisChannel.Literal(GenerationKey), (_, v) =>
            {
                if (v.TryParse(out long g))
                {
                    Raise(g);
                }
            });
        }
        catch (RedisException e)
        {
            logger.LogWarning(e, "Redis not reachable at start; lookups go to the database until it is");
        }
    }

    public bool Enabled => _redis is not null;

    /// <summary>
    /// Raised when this instance learns of a change: its own write, or another instance's generation on the Redis
    /// channel (the in-memory point index listens). Without Redis, only this instance's own writes.
    /// </summary>
    public event Action? Invalidated;

    public long Generation => Interlocked.Read(ref _generation);

    private string GenerationKey => $"{_prefix}:gen";

    /// <summary>The full Redis key of a cache entry (tests look at it). "m1": entries carry <see cref="Present"/> first.</summary>
    public string KeyOf(string key) => $"{_prefix}:{Generation}:m1:{key}";

    // An empty message (a leaf grid's children) serializes to no bytes at all, as "none" is stored; a leading byte tells them apart.
    private const byte Present = 1;

    /// <summary>The cached answer, or <paramref name="load"/>'s (cached too, including "none").</summary>
    public async Task<T?> GetOrAddAsync<T>(string key, MessageParser<T> parser, Func<Task<T?>> load)
        where T : class, IMessage<T>
    {
        if (_redis is null)
        {
            return await load();
        }

        var full = KeyOf(key);
        if (_local.TryGetValue(full, out byte[]? local) && local is not null)
        {
            return Read(local, parser);
        }

        var db = _redis.GetDatabase();
        try
        {
            var hit = await db.StringGetAsync(full);
            if (hit.HasValue)
            {
                var bytes = (byte[])hit!;
                Remember(full, bytes);
                return Read(bytes, parser);
            }
        }
        catch (RedisException e)
        {
            _logger.LogWarning(e, "Redis read failed; answering from the database");
            return await load();
        }

        var generationBefore = Generation;
        var value = await load();
        // A change committed while loading must not be cached under the generation it invalidated.
        if (Generation == generationBefore)
        {
            byte[] bytes = value is null ? [] : [Present, .. value.ToByteArray()];
            Remember(full, bytes);
            try
            {
                await db.StringSetAsync(full, bytes, Ttl, flags: CommandFlags.FireAndForget);
            }
            catch (RedisException e)
            {
                _logger.LogWarning(e, "Redis write failed");
            }
        }

        return value;
    }

    private static T? Read<T>(byte[] bytes, MessageParser<T> parser)
        where T : class, IMessage<T> =>
        bytes.Length == 0 ? null : parser.ParseFrom(bytes, 1, bytes.Length - 1);

    /// <summary>Forget every cached answer, here and in every other instance.</summary>
    public async Task InvalidateAsync()
    {
        if (_redis is null)
        {
            Invalidated?.Invoke();
            return;
        }

        try
        {
            var g = await _redis.GetDatabase().StringIncrementAsync(GenerationKey);
            Raise(g);
            await _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(GenerationKey), g);
        }
        catch (RedisException e)
        {
            // Unreachable Redis: bump locally so this instance at least never serves the stale entry.
            Interlocked.Increment(ref _generation);
            _local.Clear();
            Invalidated?.Invoke();
            _logger.LogError(e, "Cache invalidation could not reach Redis");
        }
    }

    private void Remember(string fullKey, byte[] bytes) =>
        _local.Set(fullKey, bytes, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = LocalTtl });

    private void Raise(long g)
    {
        long current;
        var raised = false;
        while ((current = Interlocked.Read(ref _generation)) < g)
        {
            raised |= Interlocked.CompareExchange(ref _generation, g, current) == current;
        }

        if (raised)
        {
            _local.Clear();
            Invalidated?.Invoke();
        }
    }

    public void Dispose()
    {
        _local.Dispose();
        _redis?.Dispose();
    }
}
