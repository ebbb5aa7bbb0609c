using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Dapper;
using Grid.Organization.Domain;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Grid.Organization.Identity;

/// <summary>A signed token and how long it lives, in OAuth's response shape; a refresh token only for a person's log-in.</summary>
public sealed record TokenResponse(
    string access_token,
    string token_type,
    int expires_in,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? refresh_token = null);

/// <summary>
/// Issues RS256 tokens with the claims every Grid service reads (sub, name, posts): for staff by password, then
/// by refresh token (short-lived access tokens, the posts read afresh each time); for service clients by client
/// credentials (<c>Identity:Clients:{id}:Secret</c>), which get no refresh token and simply ask again.
/// </summary>
public sealed class TokenIssuer(NpgsqlDataSource db, SigningKeyStore keys, RefreshTokens refreshTokens, TokenLifetimes lifetimes, IConfiguration configuration, TimeProvider clock)
{
    private sealed class Account
    {
        public Guid Id { get; set; }

        public string Name { get; set; } = "";

        public string? PasswordHash { get; set; }

        public string[] SystemRoles { get; set; } = [];

        public Guid[] ScopeGrids { get; set; } = [];
    }

    private sealed class Post
    {
        public string Role { get; set; } = "";

        public string Domain { get; set; } = "";

        public Guid GridId { get; set; }
    }

    /// <summary>Null when the user name or password is wrong (the caller cannot tell which).</summary>
    public async Task<TokenResponse?> ForStaffAsync(string username, string password, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var account = await conn.QuerySingleOrDefaultAsync<Account>(
            "SELECT id, name, password_hash, system_roles, scope_grids FROM staff WHERE username = @username", new { username });
        if (!PasswordHasher.Verify(password, account?.PasswordHash) || account is null)
        {
            return null;
        }

        return await ForAccountAsync(account, null, conn, null, ct);
    }

    /// <summary>A new access token and the next refresh token of the family, or the reason for refusing (a reused token ends the log-in).</summary>
    public async Task<(TokenResponse? Token, string? Refusal)> ForRefreshAsync(string refreshToken, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var redeemed = await refreshTokens.RedeemAsync(refreshToken, conn, tx, ct);
        var account = redeemed.StaffId is { } id
            ? await conn.QuerySingleOrDefaultAsync<Account>("SELECT id, name, password_hash, system_roles, scope_grids FROM staff WHERE id = @id", new { id }, tx)
            : null;
        var token = account is null ? null : await ForAccountAsync(account, redeemed.FamilyId, conn, tx, ct);

        // Committed whatever came of it: a reuse's revocation must hold.
        await tx.CommitAsync(ct);
        return (token, token is null ? redeemed.Refusal ?? "The account no longer exists." : null);
    }

    private async Task<TokenResponse> ForAccountAsync(Account account, Guid? familyId, NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var posts = (await conn.QueryAsync<Post>(
            "SELECT role, domain, grid_id FROM assignments WHERE staff_id = @Id AND valid_from <= @now AND (valid_to IS NULL OR valid_to > @now)",
            new { account.Id, now }, tx)).AsList();
        var access = Issue(account.Id.ToString(), account.Name, PostsOf(account, posts));
        return access with { refresh_token = await refreshTokens.IssueAsync(account.Id, familyId, conn, tx, ct) };
    }

    /// <summary>
    /// One post per assignment, as held; a system role applies across domains on each scope grid (the
    /// administrator everywhere). Roles, domains and grids are never listed apart.
    /// </summary>
    private static IEnumerable<GridPost> PostsOf(Account account, IEnumerable<Post> posts)
    {
        var system = account.SystemRoles.SelectMany(role => role == SystemRoles.Admin
            ? [new GridPost(role, GridPost.Everywhere, GridPost.Everywhere)]
            : account.ScopeGrids.Select(g => new GridPost(role, GridPost.Everywhere, g.ToString())));
        return system.Concat(posts.Select(p => new GridPost(p.Role, p.Domain, p.GridId.ToString()))).Distinct();
    }

    /// <summary>Null when the client is unknown or the secret wrong.</summary>
    public TokenResponse? ForClient(string clientId, string secret)
    {
        var section = configuration.GetSection($"Identity:Clients:{clientId}");
        if (section["Secret"] is not { Length: > 0 } expected
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            return null;
        }

        // A client holds only the posts configured for it (role@domain:grid, comma separated): none by default.
        var posts = (section["Posts"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(GridPost.Parse).OfType<GridPost>();
        return Issue(clientId, section["Name"] ?? clientId, posts);
    }

    public TokenResponse Issue(string subject, string name, IEnumerable<GridPost> posts)
    {
        var claims = new List<Claim>
        {
            new(GridClaims.Subject, subject), new(GridClaims.Name, name), new(GridClaims.Posts, string.Join(' ', posts)),

            // Every token its own (RFC 7519 jti): two issued in the same second are not the same text.
            new(JwtRegisteredClaimNames.Jti, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12))),
        };
        var now = clock.GetUtcNow().UtcDateTime;
        var life = lifetimes.Access;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = configuration["Identity:Issuer"] ?? GridClaims.DefaultIssuer,
            Audience = configuration["Identity:Audience"] ?? GridClaims.DefaultAudience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + life,
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.RsaSha256),
        });
        return new TokenResponse(token, "Bearer", (int)life.TotalSeconds);
    }
}
