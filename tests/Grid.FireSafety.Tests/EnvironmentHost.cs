using Grid.FireSafety.Infrastructure;
using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.FireSafety.Tests;

/// <summary>
/// A second domain for transfers: a bare Casework host of domain "environment" (AddCasework + MapCaseworkApi) on its
/// own database, the same broker virtual host and the same demo grid tree, standing in for the environment service.
/// </summary>
public sealed class EnvironmentHost : IAsyncDisposable
{
    private EnvironmentHost(WebApplication app) => App = app;

    public WebApplication App { get; }

    public static async Task<EnvironmentHost> StartAsync(string messaging)
    {
        var infra = await GridInfrastructure.GetAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:SigningKey"] = TestTokens.SigningKey,
            ["ConnectionStrings:environmentdb"] = await infra.CreateDatabaseAsync("env"),
            ["ConnectionStrings:messaging"] = messaging,
            ["Casework:SchedulerEnabled"] = "false",
        });
        builder.AddServiceDefaults();
        TestRunLog.Capture(builder.Logging, "environment");
        builder.Services.AddSingleton<Grid.Casework.Infrastructure.IGridDirectory>(new ConfiguredGridDirectory([]));
        builder.AddCasework("environment");
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCaseworkApi();
        await app.StartAsync();
        return new EnvironmentHost(app);
    }

    public HttpClient Admin()
    {
        var client = App.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Admin());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
