using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Casework.Tests;

/// <summary>
/// A minimal domain service in a test: AddServiceDefaults + AddCasework + MapCaseworkApi (the two lines a
/// domain service writes), on an in-memory test server, against real PostgreSQL, RabbitMQ and a real gRPC
/// organization server.
/// </summary>
public sealed class CaseworkHost : IAsyncDisposable
{
    public static readonly string ReporterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The audit chain's MAC key of every host of this test run (kept outside the database, as in service).</summary>
    public static readonly string AuditKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private int? _port;

    private CaseworkHost(WebApplication app, string domain, string database)
    {
        App = app;
        Domain = domain;
        Database = database;
    }

    public WebApplication App { get; }

    public string Domain { get; }

    public string Database { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<CaseworkHost> StartAsync(
        string domain, string database, string amqp, string organization,
        TimeProvider? time = null, Action<CaseworkOptions>? configure = null, ILoggerProvider? logs = null,
        Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, int? port = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        // In memory unless a port is given: then Kestrel on loopback, as deployed (benchmarks).
        if (port is { } p)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{p}");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        var config = new Dictionary<string, string?>
        {
            ["Identity:SigningKey"] = TestTokens.SigningKey,
            [$"ConnectionStrings:{domain}db"] = database,
            ["ConnectionStrings:messaging"] = amqp,
            ["services:organization:grpc:0"] = organization,
            ["Casework:ReporterKey"] = ReporterKey,
            ["Casework:AuditKey"] = AuditKey,
        };
        foreach (var (k, v) in settings ?? [])
        {
            config[k] = v;
        }

        foreach (var (k, v) in config)
        {
            TestRunLog.SettingUsed(k, v);
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.AddServiceDefaults();
        TestRunLog.Capture(builder.Logging, "casework");
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        }

        builder.AddCasework(domain, configure);
        services?.Invoke(builder.Services);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCaseworkApi();
        await app.StartAsync();
        return new CaseworkHost(app, domain, database) { _port = port };
    }

    public HttpClient Client(string token)
    {
        var client = _port is { } p
            ? new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{p}") }
            : App.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static string Chief(string grid = "*", string domain = "*") => TestTokens.Create($"chief-{grid}", ["grid-chief"], [domain], [grid]);

    public static string Worker(string grid = "*", string domain = "*") => TestTokens.Create($"worker-{grid}", ["grid-worker"], [domain], [grid]);

    public async Task<CaseView> ReportAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, $"/api/{Domain}/v1/cases") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            req.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var resp = await client.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"{(int)resp.StatusCode}: {text}");
        return JsonSerializer.Deserialize<CaseView>(text, Json)!;
    }

    public async Task<(int Status, string Body)> PostAsync(HttpClient client, Guid id, string step, object? body = null)
    {
        using var resp = await client.PostAsync($"/api/{Domain}/v1/cases/{id}/{step}", body is null ? null : JsonContent.Create(body));
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }

    public async Task<CaseView> StepAsync(HttpClient client, Guid id, string step, object? body = null)
    {
        var (status, text) = await PostAsync(client, id, step, body);
        Assert.True(status is 200 or 201, $"{step}: {status} {text}");
        return JsonSerializer.Deserialize<CaseView>(text, Json)!;
    }

    public async Task<CaseView> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<CaseView>($"/api/{Domain}/v1/cases/{id}", Json))!;

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
    }
}
