using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Grid.Organization.Identity;

/// <summary>How long tokens live: access tokens briefly (<c>Identity:TokenLifetimeMinutes</c>, 15), refresh tokens a working day (<c>Identity:RefreshTokenLifetimeHours</c>, 12).</summary>
public sealed record TokenLifetimes(TimeSpan Access, TimeSpan Refresh)
{
    public static TokenLifetimes From(IConfiguration c) => new(
        TimeSpan.FromMinutes(c.GetValue("Identity:TokenLifetimeMinutes", 15.0)),
        TimeSpan.FromHours(c.GetValue("Identity:RefreshTokenLifetimeHours", 12.0)));
}

/// <summary>What redeeming a refresh token came to: the person's id, or why not.</summary>
public sealed record RefreshRedemption(Guid? StaffId, Guid FamilyId, string? Refusal);

/// <summary>
/// 刷新令牌 Refresh tokens of interactive log-ins: opaque and random (256 bits), stored only as their SHA-256, each
/// good for one use. Redeeming one marks it used and issues the next of the same family (one log-in's chain);
/// presenting a used one again means it was copied, so the whole family is revoked and the holder must log in again.
/// </summary>
public sealed class RefreshTokens(NpgsqlDataSource db, TokenLifetimes lifetimes, TimeProvider clock)
{
    public async Task<string> IssueAsync(Guid staffId, Guid? familyId, NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO refresh_tokens (token_hash, family_id, staff_id, issued_at, expires_at) VALUES (@hash, @family, @staffId, @now, @expires)",
            new { hash = Hash(token), family = familyId ?? Guid.CreateVersion7(), staffId, now, expires = now + lifetimes.Refresh }, tx, cancellationToken: ct));
        return token;
    }

    /// <summary>Marks the token used and returns whose it was; a reused token revokes its family.</summary>
    public async Task<RefreshRedemption> RedeemAsync(string token, NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<(Guid FamilyId, Guid StaffId, DateTime ExpiresAt, DateTime? UsedAt, DateTime? RevokedAt)>(new CommandDefinition(
            "SELECT family_id, staff_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = @hash FOR UPDATE",
            new { hash = Hash(token) }, tx, cancellationToken: ct));
        var now = clock.GetUtcNow().UtcDateTime;
        if (row.FamilyId == Guid.Empty)
        {
            return new(null, Guid.Empty, "Unknown refresh token.");
        }

        if (row.RevokedAt is not null)
        {
            return new(null, row.FamilyId, "This log-in was ended; log in again.");
        }

        if (row.UsedAt is not null)
        {
            await RevokeFamilyAsync(row.FamilyId, conn, tx, ct);
            return new(null, row.FamilyId, "This refresh token was used before: the log-in is ended; log in again.");
        }

        if (row.ExpiresAt <= now)
        {
            return new(null, row.FamilyId, "The refresh token has expired; log in again.");
        }

        await conn.ExecuteAsync(new CommandDefinition("UPDATE refresh_tokens SET used_at = @now WHERE token_hash = @hash", new { now, hash = Hash(token) }, tx, cancellationToken: ct));
        return new(row.StaffId, row.FamilyId, null);
    }

    /// <summary>Ends the log-in a refresh token belongs to (log-out); unknown tokens are ignored, as RFC 7009 asks.</summary>
    public async Task RevokeAsync(string token, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = @now WHERE revoked_at IS NULL AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = @hash)",
            new { now = clock.GetUtcNow().UtcDateTime, hash = Hash(token) }, cancellationToken: ct));
    }

    private Task RevokeFamilyAsync(Guid familyId, NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @familyId AND revoked_at IS NULL",
            new { now = clock.GetUtcNow().UtcDateTime, familyId }, tx, cancellationToken: ct));

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
