using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Grid.Organization.Identity;
using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace Grid.Organization.Tests;

/// <summary>
/// Signing keys and sessions with the organization service issuing RS256 tokens on a fake clock, and a second host
/// validating them as every Grid service does (AddGridAuthentication with Identity:JwksUrl, no HS256 key): a rotation
/// publishes the new key before it signs, both keys pass during the overlap, the old key's tokens are refused once its
/// last token has expired; refresh tokens rotate and a reused one ends the log-in; keys are sealed at rest.
/// </summary>
public sealed class SigningKeyTests : IAsyncLifetime
{
    internal const string AdminPassword = "rotation-admin-password-1";
    private static readonly string Kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    // Ten minutes behind: tokens issued as the fake clock moves on stay within their real-time validity where services check it.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow.AddMinutes(-10));
    private GridServiceFactory<Program> _org = null!;
    private WebApplication _service = null!;
    private HttpClient _serviceClient = null!;
    private HttpClient _anonymous = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        var infra = await GridInfrastructure.GetAsync();
        _database = await infra.CreateDatabaseAsync("orgkeys");
        _org = Organization(_database, Kek);
        _anonymous = _org.CreateClient();

        // A service as the suite wires one: JWKS from the organization service (here through its in-process server).
        _service = await JwksServiceHost.StartAsync(_org, _clock, "/whoami");
        _serviceClient = _service.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _org.DisposeAsync();
    }

    private GridServiceFactory<Program> Organization(string database, string? kek) => Organization(database, kek, _clock);

    /// <summary>The organization service issuing RS256 tokens on <paramref name="clock"/>, a rotation's new key published 10 minutes before it signs.</summary>
    internal static GridServiceFactory<Program> Organization(string database, string? kek, TimeProvider clock) => new GridServiceFactory<Program>()
        .WithSetting("Identity:SigningKey", null)
        .WithConnectionString("organizationdb", database)
        .WithSetting("Grid:CachePrefix", GridInfrastructure.UniqueName("orgkeys"))
        .WithSetting("Identity:AdminPassword", AdminPassword)
        .WithSetting(KeyEncryption.ConfigurationKey, kek)
        .WithSetting("Identity:Keys:LeadTimeMinutes", "10")
        .WithSetting("Identity:Keys:CheckSeconds", "3600")
        .WithSetting("Identity:Clients:fire:Secret", "fire-client-secret")
        .WithSetting("Identity:Clients:fire:Posts", "service@fire:*")
        .WithServices(s => s.AddSingleton(clock));

    private async Task<JsonObject> TokenAsync(params (string, string)[] form)
    {
        var r = await _anonymous.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
        var body = (await r.Content.ReadFromJsonAsync<JsonObject>())!;
        body["status"] = (int)r.StatusCode;
        return body;
    }

    private async Task<string> LoginAsync()
    {
        var t = await TokenAsync(("grant_type", "password"), ("username", "admin"), ("password", AdminPassword));
        Assert.Equal(200, t["status"]!.GetValue<int>());
        return t["access_token"]!.GetValue<string>();
    }

    private async Task<HttpStatusCode> ServiceAnswersAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await _serviceClient.SendAsync(request)).StatusCode;
    }

    private async Task<string[]> JwksKidsAsync() =>
        (await _anonymous.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json"))!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToArray();

    private static string Kid(string token) => new JsonWebToken(token).Kid;

    [Fact]
    public async Task A_rotation_publishes_first_accepts_both_keys_during_the_overlap_and_drops_the_old_key_after_its_last_token()
    {
        var before = await LoginAsync();
        // The service remembers a validated token for up to a minute, so each check below uses a token it has not seen.
        var checkedLater = await LoginAsync();
        var oldKid = Kid(before);
        Assert.Equal(HttpStatusCode.OK, await ServiceAnswersAsync(before));

        using var admin = _org.CreateClient(before);
        Assert.Equal(HttpStatusCode.Forbidden, (await _org.CreateClient(await ClientTokenAsync()).PostAsync("/api/org/v1/identity/keys/rotate", null)).StatusCode);
        var rotated = await admin.PostAsync("/api/org/v1/identity/keys/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var next = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!;
        var newKid = next["kid"]!.GetValue<string>();
        Assert.Equal("next", next["state"]!.GetValue<string>());
        Assert.NotEqual(oldKid, newKid);

        // Published before it signs: the JWKS lists both, new tokens are still the old key's.
        Assert.Equal(new[] { oldKid, newKid }.Order(), (await JwksKidsAsync()).Order());
        var duringOverlap = await LoginAsync();
        Assert.Equal(oldKid, Kid(duringOverlap));

        // After the lead time the new key signs; the service, whose copy of the set (fetched 10 minutes ago, refreshed
        // every 15) lacks it, fetches the set again for the unknown key id.
        _clock.Advance(TimeSpan.FromMinutes(10));
        var after = await LoginAsync();
        Assert.Equal(newKid, Kid(after));
        Assert.Equal(HttpStatusCode.OK, await ServiceAnswersAsync(after));
        Assert.Equal(HttpStatusCode.OK, await ServiceAnswersAsync(duringOverlap));
        var states = await admin.GetFromJsonAsync<JsonArray>("/api/org/v1/identity/keys");
        Assert.Equal("retired", states!.Single(k => k!["kid"]!.GetValue<string>() == oldKid)!["state"]!.GetValue<string>());

        // The old key's last token expires 15 minutes after it stopped signing (plus a minute): then it is gone from
        // the set, and from the service's copy at its next refresh.
        _clock.Advance(TimeSpan.FromMinutes(16));
        await _org.Services.GetRequiredService<SigningKeyStore>().MaintainAsync();
        Assert.Equal([newKid], await JwksKidsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await ServiceAnswersAsync(checkedLater));
        Assert.Equal(HttpStatusCode.OK, await ServiceAnswersAsync(after));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM signing_keys WHERE kid = @oldKid", new { oldKid }));
    }

    private async Task<string> ClientTokenAsync()
    {
        var t = await TokenAsync(("grant_type", "client_credentials"), ("client_id", "fire"), ("client_secret", "fire-client-secret"));
        Assert.Equal(200, t["status"]!.GetValue<int>());
        Assert.Null(t["refresh_token"]);
        return t["access_token"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_refresh_token_is_good_once_and_its_reuse_ends_the_log_in()
    {
        var login = await TokenAsync(("grant_type", "password"), ("username", "admin"), ("password", AdminPassword));
        Assert.Equal(900, login["expires_in"]!.GetValue<int>());
        var first = login["refresh_token"]!.GetValue<string>();

        _clock.Advance(TimeSpan.FromMinutes(9));
        var renewed = await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", first));
        Assert.Equal(200, renewed["status"]!.GetValue<int>());
        var second = renewed["refresh_token"]!.GetValue<string>();
        Assert.NotEqual(first, second);
        var access = renewed["access_token"]!.GetValue<string>();
        Assert.NotEqual(login["access_token"]!.GetValue<string>(), access);
        Assert.Equal(HttpStatusCode.OK, await ServiceAnswersAsync(access));

        // The first token again (a copy in someone else's hands): refused, and the family with it.
        var reused = await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", first));
        Assert.Equal(401, reused["status"]!.GetValue<int>());
        Assert.Equal("invalid_grant", reused["error"]!.GetValue<string>());
        Assert.Equal(401, (await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", second)))["status"]!.GetValue<int>());

        // Only hashes are stored.
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE token_hash = convert_to(@second, 'UTF8')", new { second }));
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE token_hash = @hash", new { hash = SHA256.HashData(Encoding.UTF8.GetBytes(second)) }));

        // A log-out ends a fresh log-in's family too.
        var other = (await TokenAsync(("grant_type", "password"), ("username", "admin"), ("password", AdminPassword)))["refresh_token"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.PostAsync("/api/org/v1/token/revoke", new FormUrlEncodedContent([new("token", other)]))).StatusCode);
        Assert.Equal(401, (await TokenAsync(("grant_type", "refresh_token"), ("refresh_token", other)))["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Private_keys_are_sealed_at_rest_a_plaintext_row_is_sealed_on_start_and_a_wrong_key_stops_the_start()
    {
        await LoginAsync();
        var rows = (await QueryAsync<(string Kid, string? Pem, byte[] SealedKey)>("SELECT kid, pem, sealed_key FROM signing_keys")).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.Null(r.Pem);
            Assert.DoesNotContain("PRIVATE KEY", Encoding.UTF8.GetString(r.SealedKey));
            Assert.DoesNotContain("MII", Encoding.ASCII.GetString(r.SealedKey));
        });

        // A row as earlier versions stored it (PEM in clear) is sealed by the next start, and still published.
        using var legacy = RSA.Create(2048);
        var legacyPem = legacy.ExportPkcs8PrivateKeyPem();
        await ExecuteAsync(
            "INSERT INTO signing_keys (kid, pem, created_at) VALUES ('legacy-key', @legacyPem, @at)",
            new { legacyPem, at = _clock.GetUtcNow().UtcDateTime.AddMinutes(-1) });
        await using (var restarted = Organization(_database, Kek))
        {
            using var client = restarted.CreateClient();
            var kids = (await client.GetFromJsonAsync<JsonObject>("/.well-known/jwks.json"))!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>());
            Assert.Contains("legacy-key", kids);
        }

        var sealedRow = (await QueryAsync<(string? Pem, byte[]? SealedKey)>("SELECT pem, sealed_key FROM signing_keys WHERE kid = 'legacy-key'")).Single();
        Assert.Null(sealedRow.Pem);
        Assert.NotNull(sealedRow.SealedKey);
        Assert.DoesNotContain(legacyPem[40..80], Encoding.ASCII.GetString(sealedRow.SealedKey));

        // Another key-encryption key cannot open the keys: the service refuses to start, naming the setting.
        await using var wrong = Organization(_database, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var refused = Assert.ThrowsAny<Exception>(() => wrong.CreateClient());
        Assert.Contains(KeyEncryption.ConfigurationKey, refused.ToString());
    }

    [Fact]
    public void Outside_development_the_organization_service_refuses_to_start_without_its_key_encryption_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() =>
            KeyEncryption.From(WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" })));
        Assert.Contains(KeyEncryption.ConfigurationKey, refused.Message);
        Assert.True(KeyEncryption.From(WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" })).Ephemeral);
    }

    private async Task<T> ScalarAsync<T>(string sql, object args)
    {
        await using var conn = new NpgsqlConnection(_database);
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }

    private async Task<IEnumerable<T>> QueryAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(_database);
        return await conn.QueryAsync<T>(sql);
    }

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.ExecuteAsync(sql, args);
    }
}
