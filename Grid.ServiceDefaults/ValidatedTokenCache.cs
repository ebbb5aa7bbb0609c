using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Remembers for up to a minute (never past the token's own expiry) that a bearer token was valid, so that a
/// client sending the same token many times a second — a department system, another service, the gateway —
/// pays for its signature check once. Only successes are kept, keyed by the exact token text; an expired,
/// forged or altered token always goes through full validation. The identity is shared between requests,
/// which is safe because nothing in Grid adds claims to it.
/// </summary>
public sealed class ValidatedTokenCache(TokenHandler inner, TimeProvider clock) : TokenHandler
{
    private const int MaxEntries = 20_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTime Until)> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_valid.TryGetValue(token, out var hit) && now < hit.Until)
        {
            return hit.Result;
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated)
        {
            if (_valid.Count >= MaxEntries)
            {
                _valid.Clear();
            }

            var until = validated.ValidTo == DateTime.MinValue ? now + MaxAge : Min(validated.ValidTo, now + MaxAge);
            _valid[token] = (result, until);
        }

        return result;
    }

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The handler every Grid service validates with: JSON web tokens, claim names as issued.</summary>
    public static TokenHandler Create(TimeProvider clock) => new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, clock);
}
