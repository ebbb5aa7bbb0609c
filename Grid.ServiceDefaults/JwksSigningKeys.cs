using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// When <c>Identity:JwksUrl</c> is set (the organization service's /.well-known/jwks.json, or a site's own OIDC
/// provider), signing keys come from there: fetched again every <c>Identity:JwksRefreshMinutes</c> (10), and at once
/// for a token whose key id is not in the set — a key that has just started signing — but not more often than every
/// <c>Identity:JwksMinRefreshSeconds</c> (5), so that tokens with made-up key ids cannot flood the issuer. Every key
/// of the set is accepted, so tokens of the old and the new key both pass while a rotation overlaps.
/// </summary>
public sealed class JwksSigningKeys(IConfiguration configuration, IHttpClientFactory httpClients, TimeProvider clock) : IPostConfigureOptions<JwtBearerOptions>
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<SecurityKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        var url = configuration["Identity:JwksUrl"];
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        var refresh = TimeSpan.FromMinutes(configuration.GetValue("Identity:JwksRefreshMinutes", 10.0));
        var minRefresh = TimeSpan.FromSeconds(configuration.GetValue("Identity:JwksMinRefreshSeconds", 5.0));
        options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, kid, _) =>
        {
            var age = clock.GetUtcNow() - _fetchedAt;
            if (age >= refresh || (kid is not null && _keys.All(k => k.KeyId != kid) && age >= minRefresh))
            {
                Fetch(url, minRefresh);
            }

            return _keys;
        };
    }

    private void Fetch(string url, TimeSpan minRefresh)
    {
        _gate.Wait();
        try
        {
            // Another request may have fetched while this one waited.
            if (clock.GetUtcNow() - _fetchedAt < minRefresh)
            {
                return;
            }

            var json = httpClients.CreateClient("jwks").GetStringAsync(url).GetAwaiter().GetResult();
            _keys = new JsonWebKeySet(json).GetSigningKeys().ToList();
            _fetchedAt = clock.GetUtcNow();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or ArgumentException)
        {
            // The issuer is unreachable: keep the keys known so far, and try again after the shorter interval.
            _fetchedAt = clock.GetUtcNow() - TimeSpan.FromMinutes(configuration.GetValue("Identity:JwksRefreshMinutes", 10.0)) + minRefresh;
        }
        finally
        {
            _gate.Release();
        }
    }
}
