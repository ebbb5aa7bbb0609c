using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Grid.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Grid.FireSafety.Tests;

/// <summary>
/// The fire service in-process on its own fresh database and virtual host, with a fake clock. Grids are the
/// generated demo county (no organization service): county 511921, townships 511921101..103, villages
/// 511921101201.., small grids 51192110120101...
/// </summary>
public sealed class FireHost : GridServiceFactory<Program>
{
    public const string County = "511921";
    public const string Town = "511921101";
    public const string Village = "511921101201";
    public const string Small1 = "51192110120101";
    public const string Small2 = "51192110120102";
    public const string OtherTown = "511921102";
    public const string OtherVillage = "511921102201";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 20, 4, 0, 0, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public static readonly string ReporterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string Messaging { get; private set; } = "";

    public static async Task<FireHost> StartAsync(Action<FireHost>? configure = null, string? messaging = null)
    {
        var infra = await GridInfrastructure.GetAsync();
        var host = new FireHost { ConnectionString = await infra.CreateDatabaseAsync("fire"), Messaging = messaging ?? await infra.CreateVirtualHostAsync("fire") };
        host.WithConnectionString("firedb", host.ConnectionString);
        host.WithConnectionString("messaging", host.Messaging);
        host.WithSetting("Casework:ReporterKey", ReporterKey);

        // The deadline scan runs when a test calls it, on the fake clock.
        host.WithSetting("Casework:SchedulerEnabled", "false");
        configure?.Invoke(host);
        _ = host.Server; // start now: schema and topology exist before the first request
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Time));
    }

    public HttpClient As(string subject, string role, params string[] grids) =>
        CreateClient(TestTokens.Create(subject, [role], ["fire"], grids.Length == 0 ? ["*"] : grids, name: subject));

    public async Task<long> CountAsync(string table, string where = "true")
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {where}", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

internal static class HttpExtensions
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient c, string url, T body) =>
        c.PostAsJsonAsync(url, body, FireHost.Json);

    public static async Task<JsonElement> OkJsonAsync(this HttpResponseMessage r)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
