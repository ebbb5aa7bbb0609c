using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.Organization.Tests;

/// <summary>
/// A host wired as every Grid service is (AddGridAuthentication with Identity:JwksUrl, no HS256 key, Production), its
/// JWKS fetched from an in-process organization service on the test's clock, answering <c>GET {path}</c> with the
/// token's subject.
/// </summary>
public static class JwksServiceHost
{
    public static async Task<WebApplication> StartAsync(GridServiceFactory<Program> organization, TimeProvider clock, string path)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration["Identity:JwksUrl"] = "http://organization/.well-known/jwks.json";
        builder.Configuration["Identity:JwksMinRefreshSeconds"] = "0";
        builder.Configuration["Identity:JwksRefreshMinutes"] = "15";
        builder.Services.AddSingleton(clock);
        builder.Services.AddHttpClient("jwks").ConfigurePrimaryHttpMessageHandler(() => organization.Server.CreateHandler());
        builder.AddGridAuthentication();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet(path, (System.Security.Claims.ClaimsPrincipal user) => user.Subject());
        await app.StartAsync();
        return app;
    }
}
