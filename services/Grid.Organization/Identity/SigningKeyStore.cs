using System.Security.Cryptography;
using Dapper;
using Grid.Organization.Domain;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Grid.Organization.Identity;

/// <summary>A signing key as an administrator sees it (never its private part).</summary>
public sealed record SigningKeyView(string Kid, string State, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RetiresAt, DateTimeOffset? RemovedAt);

/// <summary>
/// The RSA keys tokens are signed with, rotated by <see cref="SigningKeyRing"/>'s rules and kept in the service's own
/// database sealed by <see cref="KeyEncryption"/> (never in the repository, never in clear). Each instance holds the
/// keys in memory and reloads them on <see cref="MaintainAsync"/>; which key signs follows from the clock, so every
/// instance switches at the same moment.
/// </summary>
public sealed class SigningKeyStore(NpgsqlDataSource db, KeyEncryption encryption, SigningKeyRing ring, TimeProvider clock, ILogger<SigningKeyStore> logger)
{
    /// <summary>One lock id for every change of the key table, so two instances never rotate twice.</summary>
    private const long LockId = 7014;

    private sealed record Row(string Kid, DateTime CreatedAt, DateTime ActivatesAt, byte[]? SealedKey, string? Pem);

    private IReadOnlyDictionary<string, (SigningKeyEntry Entry, RsaSecurityKey Key)> _keys = new Dictionary<string, (SigningKeyEntry, RsaSecurityKey)>();

    private IReadOnlyCollection<SigningKeyEntry> Entries => _keys.Values.Select(k => k.Entry).ToList();

    /// <summary>The key that signs now.</summary>
    public RsaSecurityKey Current =>
        ring.Signer(Entries, clock.GetUtcNow()) is { } signer ? _keys[signer.Kid].Key
            : throw new InvalidOperationException("No signing key is active yet: the organization service has not finished starting.");

    /// <summary>The keys tokens may be validated with now: next, active and retired.</summary>
    public IReadOnlyList<RsaSecurityKey> Published => ring.Published(Entries, clock.GetUtcNow()).Select(e => _keys[e.Kid].Key).ToList();

    public IReadOnlyList<SigningKeyView> Describe()
    {
        var entries = Entries;
        var now = clock.GetUtcNow();
        return entries.OrderBy(e => e.ActivatesAt).Select(e => new SigningKeyView(
            e.Kid, ring.StateOf(e, entries, now).ToString().ToLowerInvariant(), e.CreatedAt, e.ActivatesAt,
            SigningKeyRing.RetiresAt(e, entries), ring.RemovedAt(e, entries))).ToList();
    }

    /// <summary>At start: seals any key still stored in clear, loads the keys, and makes one when none signs.</summary>
    public async Task EnsureAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@LockId)", new { LockId }, tx);
        foreach (var plain in await conn.QueryAsync<Row>("SELECT kid, created_at, created_at AS activates_at, NULL::bytea AS sealed_key, pem FROM signing_keys WHERE pem IS NOT NULL", transaction: tx))
        {
            await conn.ExecuteAsync(
                "UPDATE signing_keys SET sealed_key = @sealed, pem = NULL, activates_at = coalesce(activates_at, created_at) WHERE kid = @kid",
                new { kid = plain.Kid, @sealed = encryption.Seal(plain.Kid, plain.Pem!) }, tx);
            logger.LogWarning("Sealed signing key {Kid}, stored in clear before, with the key-encryption key", plain.Kid);
        }

        await LoadAsync(conn, tx, ct);
        if (ring.Signer(Entries, clock.GetUtcNow()) is null)
        {
            // Nothing has been signed yet, so the first key needs no lead time.
            await InsertAsync(conn, tx, clock.GetUtcNow(), ct);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Announces a new key now; it signs after the lead time. The administrator's rotation.</summary>
    public async Task<SigningKeyView> RotateAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@LockId)", new { LockId }, tx);
        var kid = await InsertAsync(conn, tx, clock.GetUtcNow() + ring.LeadTime, ct);
        await tx.CommitAsync(ct);
        return Describe().Single(v => v.Kid == kid);
    }

    /// <summary>The periodic pass: reloads what other instances did, rotates when due, and deletes keys whose last token has expired.</summary>
    public async Task MaintainAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@LockId)", new { LockId }, tx);
        await LoadAsync(conn, tx, ct);
        var now = clock.GetUtcNow();
        if (ring.RotationDue(Entries, now))
        {
            await InsertAsync(conn, tx, now + ring.LeadTime, ct);
        }

        var entries = Entries;
        var expired = entries.Where(e => ring.StateOf(e, entries, now) == SigningKeyState.Expired).Select(e => e.Kid).ToArray();
        if (expired.Length > 0)
        {
            await conn.ExecuteAsync("DELETE FROM signing_keys WHERE kid = ANY(@expired)", new { expired }, tx);
            logger.LogInformation("Removed signing keys {Kids}: their last tokens have expired", string.Join(", ", expired));
            await LoadAsync(conn, tx, ct);
        }

        await tx.CommitAsync(ct);
    }

    private async Task<string> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset activatesAt, CancellationToken ct)
    {
        using var fresh = RSA.Create(2048);
        var kid = KeyIdOf(fresh);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(
            "INSERT INTO signing_keys (kid, sealed_key, created_at, activates_at) VALUES (@kid, @sealed, @now, @activatesAt)",
            new { kid, @sealed = encryption.Seal(kid, fresh.ExportPkcs8PrivateKeyPem()), now = now.UtcDateTime, activatesAt = activatesAt.UtcDateTime }, tx);
        logger.LogInformation("New signing key {Kid}: published now, signing from {ActivatesAt:o}", kid, activatesAt);
        await LoadAsync(conn, tx, ct);
        return kid;
    }

    private async Task LoadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(
            "SELECT kid, created_at, activates_at, sealed_key, NULL AS pem FROM signing_keys WHERE sealed_key IS NOT NULL", transaction: tx, cancellationToken: ct));
        var keys = new Dictionary<string, (SigningKeyEntry, RsaSecurityKey)>();
        foreach (var row in rows)
        {
            var entry = new SigningKeyEntry(row.Kid, Utc(row.CreatedAt), Utc(row.ActivatesAt));
            if (_keys.TryGetValue(row.Kid, out var known))
            {
                keys[row.Kid] = (entry, known.Key);
                continue;
            }

            if (encryption.Open(row.Kid, row.SealedKey!) is not { } pem)
            {
                // Only a developer's process with a key of its own meets keys it cannot open: it leaves them aside.
                if (!encryption.Ephemeral)
                {
                    throw new InvalidOperationException($"Signing key {row.Kid} cannot be opened with {KeyEncryption.ConfigurationKey}: is it the key the keys were sealed with?");
                }

                logger.LogWarning("Signing key {Kid} was sealed with another key-encryption key; left aside", row.Kid);
                continue;
            }

            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            keys[row.Kid] = (entry, new RsaSecurityKey(rsa) { KeyId = row.Kid });
        }

        _keys = keys;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    /// <summary>The JSON Web Key Set other services validate tokens with (public parts of the published keys).</summary>
    public object Jwks() => new
    {
        keys = Published.Select(k =>
        {
            var p = k.Rsa.ExportParameters(false);
            return new { kty = "RSA", use = "sig", alg = SecurityAlgorithms.RsaSha256, kid = k.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
        }).ToArray(),
    };

    /// <summary>A stable key id: the start of the SHA-256 of the public modulus.</summary>
    private static string KeyIdOf(RSA rsa) =>
        Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportParameters(false).Modulus!))[..16];
}
