using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Grid.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Grid.LaborInspection.Tests;

/// <summary>
/// The labor service in-process on its own fresh database and virtual host, with a fake clock, and grids from a
/// real organization gRPC server (<see cref="GridTree"/>): county → town-a → village-a1 / village-a2, county → town-b → village-b1.
/// </summary>
public sealed class LaborHost : GridServiceFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Thursday 2026-11-19, 10:00 in China (02:00 UTC).</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 19, 2, 0, 0, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public GridTree Tree { get; private set; } = null!;

    /// <summary>Every log line the service wrote, formatted, to search for what must never be logged.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    public static async Task<LaborHost> StartAsync(Action<LaborHost>? configure = null)
    {
        var infra = await GridInfrastructure.GetAsync();
        var host = new LaborHost
        {
            ConnectionString = await infra.CreateDatabaseAsync("labor"),
            Tree = await GridTree.StartAsync("labor"),
        };
        host.WithConnectionString("labordb", host.ConnectionString);
        host.WithConnectionString("messaging", await infra.CreateVirtualHostAsync("labor"));
        host.WithSetting("services:organization:grpc:0", host.Tree.Address);
        host.WithSetting("Casework:ReporterKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        host.WithSetting("Casework:SchedulerEnabled", "false");
        configure?.Invoke(host);
        _ = host.Server; // start now: schema and topology exist before the first request
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Time));
        builder.ConfigureLogging(l => l.AddProvider(new CapturedLogs(Logs)));
    }

    public HttpClient As(string subject, string role, params string[] grids) =>
        CreateClient(TestTokens.Create(subject, [role], ["labor"], grids.Length == 0 ? ["*"] : grids, name: subject));

    public async Task<long> CountAsync(string table, string where = "true")
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Tree.DisposeAsync();
    }
}

internal static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient c, string url, T body) => c.PostAsJsonAsync(url, body, LaborHost.Json);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage r, int status)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"expected {status}, got {(int)r.StatusCode}: {body}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

/// <summary>Keeps every formatted log line (with its exception) of a test host.</summary>
internal sealed class CapturedLogs(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(lines);

    public void Dispose()
    {
    }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{formatter(state, exception)} {exception}");
    }
}
