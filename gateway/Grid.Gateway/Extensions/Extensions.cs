using Grid.Gateway.Docs;
using Grid.Gateway.Health;
using Grid.Gateway.Hosting;
using Grid.Gateway.Proxy;
using Grid.Gateway.RateLimiting;
using Grid.Gateway.Routing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Grid.Gateway.Extensions;

internal static class Extensions
{
    public static void AddGatewayServices(this WebApplicationBuilder builder)
    {
        var (routes, clusters) = GatewayRoutes.Build(builder.Configuration);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms<CorrelationIdTransform>();

        // Tokens are validated at the edge with the same settings as every service; refusals become problems.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.Events = new EdgeTokenEvents());

        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        builder.Services.AddSingleton<RedisRateLimiter>();

        // /health names every back end that is down (Degraded), and says when rate limits are not enforced.
        var healthClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        var checks = builder.Services.AddHealthChecks();
        foreach (var service in BackendServices.All)
        {
            if (GatewayRoutes.AddressOf(builder.Configuration, service.Name) is { } address)
            {
                var health = new Uri(new Uri(address), Microsoft.Extensions.Hosting.Extensions.HealthEndpointPath);
                checks.Add(new HealthCheckRegistration(
                    service.Name, _ => new BackendHealthCheck(service.Name, health, healthClient), HealthStatus.Degraded, ["backend"]));
            }
        }

        checks.AddCheck<RateLimitStoreHealthCheck>("ratelimit-redis", HealthStatus.Degraded, ["redis"]);
        builder.AddGrpcListener();
    }

    public static void MapGateway(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<RedisRateLimiter>(); // start connecting to Redis now, not on the first request
        app.MapGet("/", () => TypedResults.Redirect("/dashboard/")).AllowAnonymous().ExcludeFromDescription();
        app.MapApiDocs();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<RequestSizeGuardMiddleware>();
            proxy.UseMiddleware<EdgeRateLimitMiddleware>();
            proxy.UseMiddleware<BackendErrorMiddleware>();
            proxy.UseLoadBalancing();
        });
    }
}
