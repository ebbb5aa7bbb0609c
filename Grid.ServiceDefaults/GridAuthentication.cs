using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Token validation for every service: a bearer JWT issued by the organization service (its JWKS) or, in
/// development and tests, signed with <c>Identity:SigningKey</c>. Every endpoint requires a token unless
/// it opts out with AllowAnonymous.
/// </summary>
public static class GridAuthentication
{
    public static TBuilder AddGridAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var identity = builder.Configuration.GetSection("Identity");
        // A shared HS256 secret is for a developer's machine and the test host, never a deployment: refuse to start.
        if (identity["SigningKey"] is { Length: > 0 } && !builder.Environment.IsDevelopmentLike())
        {
            throw new InvalidOperationException($"Identity:SigningKey (HS256) is accepted only in Development, not in {builder.Environment.EnvironmentName}; use Identity:JwksUrl.");
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = false;
                o.Events = new GridTokenEvents();
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(ValidatedTokenCache.Create(TimeProvider.System));
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = identity["Issuer"] ?? GridClaims.DefaultIssuer,
                    ValidAudience = identity["Audience"] ?? GridClaims.DefaultAudience,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = GridClaims.Name,
                };
                if (identity["SigningKey"] is { Length: > 0 } key)
                {

                    o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key));
                }
            });
        builder.Services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, JwksSigningKeys>();
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }
}

/// <summary>
/// Where a token may come from besides the Authorization header: a browser's EventSource (live feeds) and
/// download links cannot send headers, so a GET of a live stream (<c>…/stream</c>) or a download
/// (<c>…/export</c>, <c>…/reports/…</c>) may carry it as the <c>access_token</c> query parameter
/// (RFC 6750 §2.3) or the <c>grid_token</c> cookie. Nowhere else: tokens in URLs leak through history and
/// referrers. Access log lines record the path only, never the query.
/// </summary>
public class GridTokenEvents : JwtBearerEvents
{
    public override Task MessageReceived(MessageReceivedContext context)
    {
        var request = context.Request;
        if (context.Token is null && HttpMethods.IsGet(request.Method) && !request.Headers.ContainsKey(HeaderNames.Authorization)
            && AllowsTokenInUrl(request.Path.Value ?? ""))
        {
            context.Token = request.Query["access_token"].FirstOrDefault() ?? request.Cookies["grid_token"];
        }

        return Task.CompletedTask;
    }

    public static bool AllowsTokenInUrl(string path) =>
        path.StartsWith("/api/", StringComparison.Ordinal)
        && (path.EndsWith("/stream", StringComparison.Ordinal) || path.EndsWith("/export", StringComparison.Ordinal)
            || path.Contains("/reports/", StringComparison.Ordinal));
}

/// <summary>The claims Grid tokens carry: subject, name and the holder's posts (<see cref="GridPost"/>).</summary>
public static class GridClaims
{
    public const string DefaultIssuer = "grid-organization";
    public const string DefaultAudience = "grid";
    public const string Subject = "sub";
    public const string Name = "name";

    /// <summary>The holder's posts, <c>role@domain:grid</c>, space separated (as OAuth writes scopes).</summary>
    public const string Posts = "posts";

    public const string AllDomains = GridPost.Everywhere;
    public const string AllGrids = GridPost.Everywhere;
}

/// <summary>
/// Route-level authorization: an endpoint whose route decides the step requires a post holding one of the
/// roles in the domain (anywhere); the grid is then checked on the resource with <see cref="GridAccess.Allows"/>.
/// </summary>
public static class GridPolicies
{
    public static TBuilder RequirePost<TBuilder>(this TBuilder builder, string domain, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireAssertion(ctx => ctx.User.Allows(roles, domain))
            .Build());
}
