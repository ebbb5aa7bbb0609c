using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Testing;

/// <summary>
/// Mints bearer tokens for in-process service hosts. The signing key is random per test process, so no
/// key lives in the repository; hosts built by <see cref="GridServiceFactory{TProgram}"/> trust it.
/// </summary>
public static class TestTokens
{
    public static readonly string SigningKey = NewSigningKey();

    private static string NewSigningKey()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        TestRunLog.SecretUsed("test signing key", key);
        return key;
    }

    /// <summary>
    /// A token whose posts are every role in every domain on every grid given: for a person holding one post,
    /// or one role everywhere. A person with posts that differ uses <see cref="WithPosts"/>.
    /// </summary>
    public static string Create(
        string subject,
        IEnumerable<string> roles,
        IEnumerable<string>? domains = null,
        IEnumerable<string>? grids = null,
        TimeSpan? lifetime = null,
        string? signingKey = null,
        string? name = null)
    {
        var posts = from r in roles
                    from d in domains ?? [GridClaims.AllDomains]
                    from g in grids ?? [GridClaims.AllGrids]
                    select new GridPost(r, d, g);
        return WithPosts(subject, posts, lifetime, signingKey, name);
    }

    /// <summary>A token carrying exactly these posts.</summary>
    public static string WithPosts(string subject, IEnumerable<GridPost> posts, TimeSpan? lifetime = null, string? signingKey = null, string? name = null)
    {
        var claims = new List<Claim>
        {
            new(GridClaims.Subject, subject), new(GridClaims.Name, name ?? subject), new(GridClaims.Posts, string.Join(' ', posts)),
        };
        var now = DateTime.UtcNow;
        var life = lifetime ?? TimeSpan.FromHours(1);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = GridClaims.DefaultIssuer,
            Audience = GridClaims.DefaultAudience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = life < TimeSpan.Zero ? now + life - TimeSpan.FromMinutes(5) : now.AddSeconds(-5),
            IssuedAt = life < TimeSpan.Zero ? now + life - TimeSpan.FromMinutes(5) : now.AddSeconds(-5),
            Expires = now + life,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>A token that may do anything anywhere (an administrator of the whole territory).</summary>
    public static string Admin() => Create("admin", ["admin"]);
}
