using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Grid.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>
/// The environment service in-process against real PostgreSQL and RabbitMQ (fresh database and virtual host each)
/// and a real organization gRPC server; optionally on a fake clock.
/// </summary>
public sealed class EnvironmentHost : GridServiceFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TimeProvider? _clock;
    private bool _ownsTree;

    private EnvironmentHost()
    {
    }

    public string Database { get; private set; } = "";

    public string Amqp { get; private set; } = "";

    public GridTree Tree { get; private set; } = null!;

    /// <summary>A host on a new database, or — given <paramref name="replicaOf"/> — a second replica on that host's database, broker and grid tree.</summary>
    public static async Task<EnvironmentHost> StartAsync(TimeProvider? clock = null, Dictionary<string, string?>? settings = null, string? amqp = null, GridTree? tree = null, EnvironmentHost? replicaOf = null)
    {
        var infra = await GridInfrastructure.GetAsync();
        var host = new EnvironmentHost { _clock = clock, _ownsTree = tree is null && replicaOf is null };
        host.Database = replicaOf?.Database ?? await infra.CreateDatabaseAsync("env");
        host.Amqp = replicaOf?.Amqp ?? amqp ?? await infra.CreateVirtualHostAsync("env");
        host.Tree = replicaOf?.Tree ?? tree ?? await GridTree.StartAsync("environment");
        host.WithConnectionString("environmentdb", host.Database)
            .WithConnectionString("messaging", host.Amqp)
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("services:organization:grpc:0", host.Tree.Address)
            .WithSetting("Environment:SimulateStations", "false");
        foreach (var (k, v) in settings ?? [])
        {
            host.WithSetting(k, v);
        }

        _ = host.Services; // start now
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_clock is not null)
        {
            builder.ConfigureTestServices(s => s.AddSingleton(_clock));
        }
    }

    public HttpClient Admin() => CreateClient(TestTokens.Create("admin-1", ["admin"], ["environment"]));

    public HttpClient StationClient(params string[] grids) => CreateClient(TestTokens.Create("station-gw", ["station"], ["environment"], grids.Length == 0 ? null : grids));

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(Database);
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }

    /// <summary>A source in <paramref name="grid"/> with one discharge point carrying <paramref name="limits"/> and a station on it.</summary>
    public async Task<(Guid SourceId, Guid PointId, string StationId)> AddStationAsync(string stationId, string grid, params object[] limits)
    {
        var admin = Admin();
        var source = await admin.PostAsJsonAsync("/api/environment/v1/sources", new
        {
            name = $"化工厂 {stationId}",
            @class = "key",
            gridId = grid,
            creditCode = "91000000MA" + stationId,
            responsible = new[] { new { name = "张三", role = "环保负责人", phone = "13800000000" } },
            permits = new[] { new { number = "PW-" + stationId, kind = "排污许可证", validFrom = "2025-01-01", validTo = "2030-12-31" } },
        });
        await Expect(source);
        var sourceId = (await source.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var point = await admin.PostAsJsonAsync($"/api/environment/v1/sources/{sourceId}/discharge-points", new { code = "DW001", name = "废水总排口", medium = "water", limits });
        await Expect(point);
        var pointId = (await point.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var station = await admin.PostAsJsonAsync("/api/environment/v1/stations", new { id = stationId, name = "在线监测 " + stationId, dischargePointId = pointId, pollutants = new[] { "COD", "NH3N", "TP", "PH" } });
        await Expect(station);
        return (sourceId, pointId, stationId);
    }

    private static async Task Expect(HttpResponseMessage r)
    {
        Assert.True(r.StatusCode == System.Net.HttpStatusCode.Created, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
    }

    public static object Row(string station, string pollutant, double value, string unit, DateTimeOffset time) =>
        new { station, pollutant, value, unit, time };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsTree)
        {
            await Tree.DisposeAsync();
        }
    }
}
