using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Testing;

/// <summary>
/// Hosts a Grid service in-process against the real servers of <see cref="GridInfrastructure"/>, with
/// configuration passed the way the AppHost passes it (ConnectionStrings__name, services__name__http__0).
/// </summary>
public class GridServiceFactory<TProgram> : WebApplicationFactory<TProgram>
    where TProgram : class
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Identity:SigningKey"] = TestTokens.SigningKey,
        ["Grid:SeedDemoData"] = "false",
    };

    private readonly List<Action<IServiceCollection>> _services = [];

    public GridServiceFactory<TProgram> WithSetting(string key, string? value)
    {
        _settings[key] = value;
        TestRunLog.SettingUsed(key, value);
        return this;
    }

    public GridServiceFactory<TProgram> WithConnectionString(string name, string value) =>
        WithSetting($"ConnectionStrings:{name}", value);

    /// <summary>Replaces services after the service's own registrations (a fake clock, a handler to another in-process service).</summary>
    public GridServiceFactory<TProgram> WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(l => TestRunLog.Capture(l, typeof(TProgram).Assembly.GetName().Name ?? "service"));

        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }

        foreach (var configure in _services)
        {
            builder.ConfigureTestServices(configure);
        }
    }

    /// <summary>A client that sends the given bearer token on every request.</summary>
    public HttpClient CreateClient(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
