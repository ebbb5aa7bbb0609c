using System.Security.Cryptography;
using Dapper;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Grid.Organization.Identity;

/// <summary>
/// The RSA key tokens are signed with: from <c>Identity:SigningKeyPem</c> when configured, otherwise
/// generated on first start and kept in the service's own database (never in the repository).
/// </summary>
public sealed class SigningKeyStore(NpgsqlDataSource db, IConfiguration configuration, ILogger<SigningKeyStore> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RsaSecurityKey? _key;

    public RsaSecurityKey Current => _key ?? EnsureAsync().GetAwaiter().GetResult();

    public async Task<RsaSecurityKey> EnsureAsync(CancellationToken ct = default)
    {
        if (_key is not null)
        {
            return _key;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_key is not null)
            {
                return _key;
            }

            string pem;
            if (configuration["Identity:SigningKeyPem"] is { Length: > 0 } configured)
            {
                pem = configured;
            }
            else
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                pem = await conn.ExecuteScalarAsync<string?>("SELECT pem FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1") ?? "";
                if (pem.Length == 0)
                {
                    using var fresh = RSA.Create(2048);
                    var generated = fresh.ExportPkcs8PrivateKeyPem();
                    // Two instances starting together: the first insert wins, both then read the same key.
                    await conn.ExecuteAsync("INSERT INTO signing_keys (kid, pem) VALUES (@kid, @pem) ON CONFLICT DO NOTHING", new { kid = KeyIdOf(fresh), pem = generated });
                    pem = await conn.ExecuteScalarAsync<string>("SELECT pem FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1") ?? generated;
                    logger.LogInformation("Generated a token signing key and stored it in the database");
                }
            }

            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            _key = new RsaSecurityKey(rsa) { KeyId = KeyIdOf(rsa) };
            return _key;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The JSON Web Key Set other services validate tokens with (public part only).</summary>
    public object Jwks()
    {
        var p = Current.Rsa.ExportParameters(false);
        return new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = SecurityAlgorithms.RsaSha256, kid = Current.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) },
            },
        };
    }

    /// <summary>A stable key id: the start of the SHA-256 of the public modulus.</summary>
    private static string KeyIdOf(RSA rsa) =>
        Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportParameters(false).Modulus!))[..16];
}
