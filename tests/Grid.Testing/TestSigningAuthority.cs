using System.Security.Claims;
using System.Security.Cryptography;
using Grid.LocalServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Testing;

/// <summary>
/// An RS256 issuer with its JWKS on a loopback port, for processes run as deployed (Production refuses the HS256
/// test key): they validate tokens the way they validate the organization service's, through <c>Identity:JwksUrl</c>.
/// The key is generated per process; no key lives in the repository.
/// </summary>
public sealed class TestSigningAuthority : IAsyncDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly WebApplication _app;

    private TestSigningAuthority(int port)
    {
        _key = new RsaSecurityKey(_rsa) { KeyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(9)) };
        var p = _rsa.ExportParameters(false);
        var jwks = new { keys = new[] { new { kty = "RSA", use = "sig", alg = SecurityAlgorithms.RsaSha256, kid = _key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/.well-known/jwks.json", () => Results.Json(jwks));
        JwksUrl = $"http://127.0.0.1:{port}/.well-known/jwks.json";
    }

    /// <summary>The value for <c>Identity__JwksUrl</c>.</summary>
    public string JwksUrl { get; }

    public static async Task<TestSigningAuthority> StartAsync()
    {
        var authority = new TestSigningAuthority(FreePort.Next());
        await authority._app.StartAsync();
        return authority;
    }

    /// <summary>A token carrying exactly these posts, signed with this authority's RSA key.</summary>
    public string Mint(string subject, IEnumerable<GridPost> posts, TimeSpan? lifetime = null, string? name = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = GridClaims.DefaultIssuer,
            Audience = GridClaims.DefaultAudience,
            Subject = new ClaimsIdentity([new(GridClaims.Subject, subject), new(GridClaims.Name, name ?? subject), new(GridClaims.Posts, string.Join(' ', posts))]),
            IssuedAt = DateTime.UtcNow.AddSeconds(-5),
            NotBefore = DateTime.UtcNow.AddSeconds(-5),
            Expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
