using System.Collections.Concurrent;

namespace Grid.Organization.Identity;

/// <summary>
/// 登录限制: failed password log-ins are counted per account and per client address over a window
/// (<c>Identity:Login:WindowSeconds</c>, 900); past <c>Identity:Login:MaxFailuresPerAccount</c> (5) or
/// <c>MaxFailuresPerAddress</c> (20) further attempts are refused until the window ends, with how long to wait.
/// A success clears the account's count. Kept per instance: a guesser spread over instances gains their number.
/// </summary>
public sealed class LoginThrottle(IConfiguration configuration, TimeProvider clock)
{
    private sealed record Window(DateTimeOffset Start, int Failures);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    private TimeSpan Span => TimeSpan.FromSeconds(configuration.GetValue("Identity:Login:WindowSeconds", 900));

    /// <summary>How long the caller must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(string username, string? address)
    {
        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var (key, max) in Keys(username, address))
        {
            if (_windows.TryGetValue(key, out var w) && now - w.Start < Span && w.Failures >= max)
            {
                var left = w.Start + Span - now;
                wait = wait is null || left > wait ? left : wait;
            }
        }

        return wait;
    }

    public void Failed(string username, string? address)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, _) in Keys(username, address))
        {
            _windows.AddOrUpdate(key, _ => new Window(now, 1), (_, w) => now - w.Start >= Span ? new Window(now, 1) : w with { Failures = w.Failures + 1 });
        }

        if (_windows.Count > 100_000)
        {
            foreach (var (key, w) in _windows)
            {
                if (now - w.Start >= Span)
                {
                    _windows.TryRemove(key, out _);
                }
            }
        }
    }

    public void Succeeded(string username) => _windows.TryRemove(AccountKey(username), out _);

    private IEnumerable<(string Key, int Max)> Keys(string username, string? address)
    {
        yield return (AccountKey(username), configuration.GetValue("Identity:Login:MaxFailuresPerAccount", 5));
        if (address is not null)
        {
            yield return ($"address:{address}", configuration.GetValue("Identity:Login:MaxFailuresPerAddress", 20));
        }
    }

    private static string AccountKey(string username) => $"account:{username.ToLowerInvariant()}";
}
