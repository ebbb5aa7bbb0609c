using System.Text;
using Grid.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Foundation.Tests;

public class ValidatedTokenCacheTests
{
    /// <summary>Counts the full validations that reach the real handler.</summary>
    private sealed class Counting : TokenHandler
    {
        private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };

        public int Calls { get; private set; }

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Calls++;
            return _inner.ValidateTokenAsync(token, validationParameters);
        }
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly TokenValidationParameters Parameters = new()
    {
        ValidIssuer = GridClaims.DefaultIssuer,
        ValidAudience = GridClaims.DefaultAudience,
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestTokens.SigningKey)),
        ClockSkew = TimeSpan.Zero,
    };

    [Fact]
    public async Task A_valid_token_is_checked_once_then_remembered_until_a_minute_or_its_expiry()
    {
        var inner = new Counting();
        var clock = new Clock(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(inner, clock);
        var token = TestTokens.Create("u1", ["grid-worker"], lifetime: TimeSpan.FromMinutes(10));

        for (var i = 0; i < 5; i++)
        {
            var r = await cache.ValidateTokenAsync(token, Parameters);
            Assert.True(r.IsValid);
            Assert.Equal("u1", r.ClaimsIdentity.FindFirst("sub")?.Value);
        }

        Assert.Equal(1, inner.Calls);

        // After a minute the token is checked again (keys may have rotated since).
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.True((await cache.ValidateTokenAsync(token, Parameters)).IsValid);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task A_token_is_never_remembered_past_its_expiry_and_failures_are_never_remembered()
    {
        var inner = new Counting();
        var clock = new Clock(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(inner, clock);
        var shortLived = TestTokens.Create("u2", ["grid-worker"], lifetime: TimeSpan.FromSeconds(20));
        Assert.True((await cache.ValidateTokenAsync(shortLived, Parameters)).IsValid);
        clock.Now += TimeSpan.FromSeconds(21);
        await cache.ValidateTokenAsync(shortLived, Parameters);
        Assert.Equal(2, inner.Calls); // past its expiry the cache does not answer

        var forged = TestTokens.Create("u3", ["admin"], signingKey: Convert.ToBase64String(new byte[48]));
        Assert.False((await cache.ValidateTokenAsync(forged, Parameters)).IsValid);
        Assert.False((await cache.ValidateTokenAsync(forged, Parameters)).IsValid);
        Assert.Equal(4, inner.Calls);

        var altered = TestTokens.Create("u4", ["grid-worker"]);
        Assert.True((await cache.ValidateTokenAsync(altered, Parameters)).IsValid);
        var tampered = altered[..^2] + (altered[^2] == 'A' ? "B" : "A") + altered[^1];
        Assert.False((await cache.ValidateTokenAsync(tampered, Parameters)).IsValid);
    }
}
