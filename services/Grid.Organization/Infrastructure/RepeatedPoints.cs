using Microsoft.Extensions.Caching.Memory;

namespace Grid.Organization.Infrastructure;

/// <summary>
/// Positions asked for more than once within ten minutes: a regulated subject's fixed address, a place inspected
/// again. Only those earn an exact-point cache entry; a worker's phone gives a new position every time, and writing
/// each one to Redis would cost a write for an entry nobody reads.
/// </summary>
public sealed class RepeatedPoints : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private readonly MemoryCache _seen = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>True when the key was asked for before within the window; remembers it otherwise.</summary>
    public bool SeenBefore(string key)
    {
        if (_seen.TryGetValue(key, out _))
        {
            return true;
        }

        _seen.Set(key, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Window });
        return false;
    }

    public void Dispose() => _seen.Dispose();
}
