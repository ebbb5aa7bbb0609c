using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// When <c>Identity:JwksUrl</c> is set (the organization service's /.well-known/jwks.json, or a site's
/// own OIDC provider), signing keys come from there, refreshed on a key id it has not seen.
/// </summary>
public sealed class JwksSigningKeys(IConfiguration configuration, IHttpClientFactory httpClients) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        var url = configuration["Identity:JwksUrl"];
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        var manager = new ConfigurationManager<JsonWebKeySet>(url, new JwksRetriever(), new HttpDocumentRetriever(httpClients.CreateClient("jwks")) { RequireHttps = false })
        {
            AutomaticRefreshInterval = TimeSpan.FromMinutes(10),
            RefreshInterval = TimeSpan.FromSeconds(5),
        };
        options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, kid, _) =>
        {
            var keys = manager.GetConfigurationAsync(CancellationToken.None).GetAwaiter().GetResult().GetSigningKeys();
            if (kid is not null && keys.All(k => k.KeyId != kid))
            {
                manager.RequestRefresh();
                keys = manager.GetConfigurationAsync(CancellationToken.None).GetAwaiter().GetResult().GetSigningKeys();
            }

            return keys;
        };
    }

    private sealed class JwksRetriever : IConfigurationRetriever<JsonWebKeySet>
    {
        public async Task<JsonWebKeySet> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel) =>
            new(await retriever.GetDocumentAsync(address, cancel));
    }
}
