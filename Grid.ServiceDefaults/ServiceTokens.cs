using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A service's own token for calls to other services (the organization gRPC API above all): the OAuth
/// client-credentials grant at the organization service with <c>Identity:ClientId</c> and
/// <c>Identity:ClientSecret</c>, kept until shortly before it expires. Without a client id configured
/// (tests against an open server) requests go out as they are.
/// </summary>
public sealed class ServiceTokenSource(IConfiguration configuration, IHttpClientFactory httpClients, TimeProvider clock)
{
    /// <summary>The named HttpClient that reaches the token endpoint (no token handler on it, so no recursion).</summary>
    public const string TokenClient = "grid-service-token";

    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? current;

    public bool Configured => !string.IsNullOrEmpty(configuration["Identity:ClientId"]);

    /// <summary>Where tokens come from: <c>Identity:TokenUrl</c>, else the organization service found by discovery.</summary>
    public Uri TokenUrl => new(configuration["Identity:TokenUrl"]
        ?? $"{(configuration["services:organization:http:0"] ?? "http://organization").TrimEnd('/')}/api/org/v1/token");

    public async Task<string?> GetAsync(CancellationToken ct)
    {
        if (!Configured)
        {
            return null;
        }

        if (current is { } c && clock.GetUtcNow() < c.RenewAt)
        {
            return c.Token;
        }

        await gate.WaitAsync(ct);
        try
        {
            if (current is { } again && clock.GetUtcNow() < again.RenewAt)
            {
                return again.Token;
            }

            using var response = await httpClients.CreateClient(TokenClient).PostAsync(TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = configuration["Identity:ClientId"]!,
                ["client_secret"] = configuration["Identity:ClientSecret"] ?? "",
            }), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"The token endpoint {TokenUrl} refused client '{configuration["Identity:ClientId"]}' with {(int)response.StatusCode}.",
                    null, response.StatusCode);
            }

            var body = await response.Content.ReadFromJsonAsync<TokenBody>(ct)
                ?? throw new HttpRequestException($"The token endpoint {TokenUrl} answered without a token.");

            // Renew at four fifths of the lifetime, so a token never expires in flight.
            current = (body.access_token, clock.GetUtcNow() + TimeSpan.FromSeconds(body.expires_in * 0.8));
            return body.access_token;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets the token (after a 401: the issuer's keys may have rotated).</summary>
    public void Invalidate() => current = null;

    private sealed record TokenBody(string access_token, int expires_in);
}

/// <summary>Puts the service's own bearer token on every request of the client it is added to.</summary>
public sealed class ServiceTokenHandler(ServiceTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.Headers.Authorization is null && await tokens.GetAsync(ct) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await base.SendAsync(request, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            // The next call fetches a fresh token (the issuer may have restarted with new keys).
            tokens.Invalidate();
        }

        return response;
    }
}

public static class ServiceTokenExtensions
{
    /// <summary>Calls through this client carry the service's own token (client credentials), unless the caller set one.</summary>
    public static IHttpClientBuilder AddServiceToken(this IHttpClientBuilder client)
    {
        client.Services.TryAddSingleton(TimeProvider.System);
        client.Services.TryAddSingleton<ServiceTokenSource>();
        client.Services.TryAddTransient<ServiceTokenHandler>();
        return client.AddHttpMessageHandler<ServiceTokenHandler>();
    }
}
