using System.Text.Json;
using System.Text.Json.Serialization;
using Grid.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Grid.DrugSupply.Tests;

/// <summary>
/// The drug supply service in-process on its own fresh database and virtual host, with a fake clock, and grids from a
/// real organization gRPC server (<see cref="GridTree"/> of the drugs hierarchy): county → town-a → village-a1 /
/// village-a2, county → town-b → village-b1. Townships are at depth 1 and villages at depth 2 of that tree.
/// </summary>
public sealed class DrugsHost : GridServiceFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Thursday 2026-11-19, 10:00 in China (02:00 UTC).</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 19, 2, 0, 0, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public GridTree Tree { get; private set; } = null!;

    public static async Task<DrugsHost> StartAsync(Action<DrugsHost>? configure = null, Action<GridTree>? staff = null)
    {
        var infra = await GridInfrastructure.GetAsync();
        var host = new DrugsHost
        {
            ConnectionString = await infra.CreateDatabaseAsync("drugs"),
            Tree = await GridTree.StartAsync("drugs"),
        };
        staff?.Invoke(host.Tree);
        host.WithConnectionString("drugsdb", host.ConnectionString);
        host.WithConnectionString("messaging", await infra.CreateVirtualHostAsync("drugs"));
        host.WithSetting("services:organization:grpc:0", host.Tree.Address);
        host.WithSetting("Casework:ReporterKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        host.WithSetting("Casework:SchedulerEnabled", "false");
        host.WithSetting("Drugs:Network:TownshipDepth", "1");
        host.WithSetting("Drugs:Network:VillageDepth", "2");
        configure?.Invoke(host);
        _ = host.Server; // start now: schema and topology exist before the first request
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Time));
    }

    /// <summary>A person holding <paramref name="role"/> in the drugs domain on each grid given (every grid when none).</summary>
    public HttpClient As(string subject, string role, params string[] grids) =>
        CreateClient(TestTokens.Create(subject, [role], ["drugs"], grids.Length == 0 ? ["*"] : grids, name: subject));

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
    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient c, string url, T body) => c.PostAsJsonAsync(url, body, DrugsHost.Json);

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

    /// <summary>The fields a 400 names.</summary>
    public static async Task<string[]> FieldErrorsAsync(this HttpResponseMessage r) =>
        [.. (await r.ProblemAsync(400)).GetProperty("errors").EnumerateObject().Select(p => p.Name)];
}
