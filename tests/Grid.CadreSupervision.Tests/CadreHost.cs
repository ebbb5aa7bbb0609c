using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Grid.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Grid.CadreSupervision.Tests;

/// <summary>
/// The cadre supervision service in-process on its own fresh database and virtual host, with a fake clock, and grids
/// and departments from a real organization gRPC server (<see cref="GridTree"/> of the cadre hierarchy):
/// county → town-a → village-a1 / village-a2, county → town-b → village-b1.
/// </summary>
public sealed class CadreHost : GridServiceFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Thursday 2026-11-19, 10:00 in China (02:00 UTC).</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 19, 2, 0, 0, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public GridTree Tree { get; private set; } = null!;

    /// <summary>Every log line the service wrote, to search for what must never be logged.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public static async Task<CadreHost> StartAsync(Action<CadreHost>? configure = null)
    {
        var infra = await GridInfrastructure.GetAsync();
        var host = new CadreHost
        {
            ConnectionString = await infra.CreateDatabaseAsync("cadre"),
            Tree = await GridTree.StartAsync("cadre"),
        };
        host.WithConnectionString("cadredb", host.ConnectionString);
        host.WithConnectionString("messaging", await infra.CreateVirtualHostAsync("cadre"));
        host.WithSetting("services:organization:grpc:0", host.Tree.Address);
        host.WithSetting("Casework:ReporterKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        host.WithSetting("Casework:SchedulerEnabled", "false");

        // The tests run the monthly deadline check themselves, on the fake clock.
        host.WithSetting("Cadre:Monthly:ScanInterval", "00:00:00");
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

    /// <summary>A person holding one cadre post (role on the grids given, or everywhere).</summary>
    public HttpClient As(string subject, string role, params string[] grids) =>
        CreateClient(TestTokens.Create(subject, [role], ["cadre"], grids.Length == 0 ? ["*"] : grids, name: subject));

    public HttpClient Discipline(string grid = GridTree.County) => As("discipline-" + grid, "discipline", grid);

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async Task<long> CountAsync(string table, string where = "true")
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Every row's text of a table, to search for what must never be written there.</summary>
    public async Task<string> DumpAsync(string table)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Opens a cadre's file as the county discipline commission; returns its id.</summary>
    public async Task<Guid> CadreAsync(string name, string grid = GridTree.VillageA1, string department = "environment-bureau")
    {
        var r = await Discipline().PostJsonAsync("/api/cadre/v1/cadres", new { name, post = "副局长", departmentId = department, gridId = grid });
        return (await r.OkJsonAsync()).GetProperty("id").GetGuid();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Tree.DisposeAsync();
    }
}

internal static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient c, string url, T body) => c.PostAsJsonAsync(url, body, CadreHost.Json);

    /// <summary>The body of a successful response (fails the test otherwise).</summary>
    public static async Task<string> ReadAsStringAsync(this HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {body}");
        return body;
    }

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
internal sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{formatter(state, exception)} {exception}");
    }
}
