using Grid.Organization.Identity;

namespace Grid.Organization.Apis;

/// <summary>
/// 身份认证 The token endpoint (OAuth password, refresh-token and client-credentials grants), log-out (token
/// revocation), the public keys, and the administrator's view and rotation of the signing keys.
/// </summary>
public static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        api.MapPost("/token", IssueAsync).AllowAnonymous().DisableAntiforgery().WithTags("Identity");
        api.MapPost("/token/revoke", RevokeAsync).AllowAnonymous().DisableAntiforgery().WithTags("Identity")
            .WithSummary("Log-out (RFC 7009): ends the log-in a refresh token belongs to");
        var keys = api.MapGroup("/identity/keys").WithTags("Identity").RequireAuthorization(Access.AdministratorPolicy);
        keys.MapGet("/", (SigningKeyStore store) => TypedResults.Ok(store.Describe())).WithSummary("The signing keys and their states (next, active, retired)");
        keys.MapPost("/rotate", async (SigningKeyStore store, CancellationToken ct) => TypedResults.Ok(await store.RotateAsync(ct)))
            .WithSummary("Announces a new signing key now; it signs after the configured lead time");
        app.MapGet("/.well-known/jwks.json", (SigningKeyStore keys) => TypedResults.Json(keys.Jwks())).AllowAnonymous().WithTags("Identity");
        app.MapGet("/.well-known/openid-configuration", (HttpRequest r, IConfiguration c) => TypedResults.Ok(new
        {
            issuer = c["Identity:Issuer"] ?? GridClaims.DefaultIssuer,
            jwks_uri = $"{r.Scheme}://{r.Host}/.well-known/jwks.json",
            token_endpoint = $"{r.Scheme}://{r.Host}/api/org/v1/token",
            grant_types_supported = new[] { "password", "refresh_token", "client_credentials" },
            revocation_endpoint = $"{r.Scheme}://{r.Host}/api/org/v1/token/revoke",
            id_token_signing_alg_values_supported = new[] { "RS256" },
        })).AllowAnonymous().WithTags("Identity");
        return app;
    }

    /// <summary>Accepts application/x-www-form-urlencoded (as OAuth clients send) or a JSON object with the same names.</summary>
    private static async Task<IResult> IssueAsync(HttpRequest request, TokenIssuer issuer, LoginThrottle throttle)
    {
        Dictionary<string, string?> f;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            f = form.ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString());
        }
        else
        {
            var body = await request.ReadFromJsonAsync<Dictionary<string, string?>>();
            f = body ?? [];
        }

        string? Get(string k) => f.TryGetValue(k, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        switch (Get("grant_type"))
        {
            case "password":
                if (Get("username") is not { } user)
                {
                    return Access.Invalid("username", "Required for the password grant.");
                }

                if (Get("password") is not { } password)
                {
                    return Access.Invalid("password", "Required for the password grant.");
                }

                var address = request.HttpContext.Connection.RemoteIpAddress?.ToString();
                if (throttle.RetryAfter(user, address) is { } wait)
                {
                    var seconds = (int)Math.Ceiling(wait.TotalSeconds);
                    request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return TypedResults.Problem(statusCode: 429, title: "Too many failed log-ins", detail: $"Try again in {seconds} s.");
                }

                if (await issuer.ForStaffAsync(user, password) is { } t)
                {
                    throttle.Succeeded(user);
                    return TypedResults.Ok(t);
                }

                throttle.Failed(user, address);
                return Refused("invalid_grant", "Wrong user name or password.");
            case "refresh_token":
                if (Get("refresh_token") is not { } refresh)
                {
                    return Access.Invalid("refresh_token", "Required for the refresh_token grant.");
                }

                var (renewed, refusal) = await issuer.ForRefreshAsync(refresh, request.HttpContext.RequestAborted);
                return renewed is not null ? TypedResults.Ok(renewed) : Refused("invalid_grant", refusal!);
            case "client_credentials":
                if (Get("client_id") is not { } id)
                {
                    return Access.Invalid("client_id", "Required for the client_credentials grant.");
                }

                if (Get("client_secret") is not { } secret)
                {
                    return Access.Invalid("client_secret", "Required for the client_credentials grant.");
                }

                return issuer.ForClient(id, secret) is { } c ? TypedResults.Ok(c) : Refused("invalid_client", "Unknown client or wrong secret.");
            default:
                return Access.Invalid("grant_type", "password, refresh_token or client_credentials.");
        }
    }

    private static async Task<IResult> RevokeAsync(HttpRequest request, RefreshTokens refreshTokens)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        if (form?["token"].ToString() is not { Length: > 0 } token)
        {
            return Access.Invalid("token", "Required: the refresh token to revoke (form field).");
        }

        await refreshTokens.RevokeAsync(token, request.HttpContext.RequestAborted);
        return TypedResults.Ok();
    }

    private static IResult Refused(string error, string detail) =>
        TypedResults.Problem(statusCode: 401, title: "Not authenticated", detail: detail, extensions: new Dictionary<string, object?> { ["error"] = error });
}
