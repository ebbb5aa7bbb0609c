using System.Security.Claims;
using Dapper;
using Grid.Casework.Infrastructure;
using Grid.EnvironmentMonitoring.Apis;
using Grid.EnvironmentMonitoring.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// Demo data under <c>Grid:SeedDemoData=true</c>: four pollution sources with discharge points, limits and stations in
/// the demo county's environment grids (found by point through the organization service; retried until it answers),
/// once. With <c>Environment:SimulateStations=true</c> the stations then stream plausible readings, with an occasional
/// COD spike that opens an exceedance case.
/// </summary>
internal sealed class DemoEnvironment(IConfiguration config, NpgsqlDataSource db, IGridDirectory grids, IServiceScopeFactory scopes,
    IOptionsMonitor<EnvironmentOptions> options, TimeProvider clock, ILogger<DemoEnvironment> logger) : BackgroundService
{
    private static readonly (string Station, string Name, string Class, double Lon, double Lat, double CodLimit)[] Demo =
    [
        ("DEMO-01", "示范县宏达化工有限公司", SourceClasses.National, 113.05, 34.55, 100),
        ("DEMO-02", "示范县清源污水处理厂", SourceClasses.Provincial, 113.22, 34.72, 50),
        ("DEMO-03", "示范县金石建材有限公司", SourceClasses.Key, 113.41, 34.62, 100),
        ("DEMO-04", "示范县绿源食品加工厂", SourceClasses.Ordinary, 113.55, 34.85, 150),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue<bool>("Grid:SeedDemoData"))
        {
            return;
        }

        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await SeedAsync(stoppingToken);
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && attempt < 60)
            {
                logger.LogInformation("Demo data not seeded yet ({Message}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
            }
        }

        if (!options.CurrentValue.SimulateStations)
        {
            return;
        }

        var station = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(GridClaims.Posts, new GridPost(EnvironmentRoles.Station, "environment", GridPost.Everywhere).ToString())], "simulation"));
        var random = new Random();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.SimulationIntervalSeconds)), clock);
        var spikeUntil = new Dictionary<string, int>();
        var tick = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            tick++;
            var now = clock.GetUtcNow();
            now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            var rows = new List<Reading>();
            foreach (var d in Demo)
            {
                // Now and then a station's COD runs high for a few ticks: one episode, one case.
                if (!spikeUntil.ContainsKey(d.Station) && random.NextDouble() < 0.01)
                {
                    spikeUntil[d.Station] = tick + 6;
                }

                var spiking = spikeUntil.TryGetValue(d.Station, out var until) && tick <= until;
                if (spikeUntil.TryGetValue(d.Station, out var u) && tick > u + 60)
                {
                    spikeUntil.Remove(d.Station);
                }

                rows.Add(new Reading(d.Station, "COD", Math.Round(spiking ? d.CodLimit * 1.6 : d.CodLimit * (0.3 + 0.4 * random.NextDouble()), 2), "mg/L", now));
                rows.Add(new Reading(d.Station, "NH3N", Math.Round(1 + 3 * random.NextDouble(), 3), "mg/L", now));
                rows.Add(new Reading(d.Station, "PH", Math.Round(6.8 + 0.8 * random.NextDouble(), 2), "pH", now));
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var (_, refusal) = await scope.ServiceProvider.GetRequiredService<ReadingIngestor>().IngestAsync(rows, station, stoppingToken);
                if (refusal is not null)
                {
                    logger.LogWarning("Simulated batch refused: {Errors}", string.Join("; ", refusal.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Simulated batch failed");
            }
        }
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM environment.stations WHERE id LIKE 'DEMO-%'", cancellationToken: ct)) > 0)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var placed = new List<((string Station, string Name, string Class, double Lon, double Lat, double CodLimit) D, string GridId, string[] Path)>();
        foreach (var d in Demo)
        {
            var gridId = await grids.ResolveAsync("environment", d.Lon, d.Lat, ct) ?? throw new InvalidOperationException($"no environment grid at {d.Lon},{d.Lat}");
            var chain = await grids.GetChainAsync(gridId, ct) ?? throw new InvalidOperationException($"no chain for grid {gridId}");
            placed.Add((d, gridId, chain.Select(l => l.GridId).Reverse().ToArray()));
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (d, gridId, path) in placed)
        {
            var sourceId = Guid.CreateVersion7();
            var pointId = Guid.CreateVersion7();
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO environment.sources (id, name, credit_code, class, industry, grid_id, grid_path, longitude, latitude, permits, responsible, created_at, updated_at)
                VALUES (@sourceId, @name, @code, @class, '制造业', @gridId, @path, @lon, @lat,
                        '[{"number":"PW-DEMO","kind":"排污许可证","validFrom":"2024-01-01","validTo":"2029-12-31"}]'::jsonb,
                        '[{"name":"王建国","role":"环保负责人","phone":"13900000000"}]'::jsonb, @now, @now);
                INSERT INTO environment.discharge_points (id, source_id, code, name, medium) VALUES (@pointId, @sourceId, 'DW001', '废水总排口', 'water');
                INSERT INTO environment.limit_rules (id, discharge_point_id, pollutant, kind, limit_value, window_minutes, consecutive_count) VALUES
                    (gen_random_uuid(), @pointId, 'COD', 'Instant', @cod, NULL, NULL),
                    (gen_random_uuid(), @pointId, 'NH3N', 'RollingAverage', 8, 60, NULL),
                    (gen_random_uuid(), @pointId, 'PH', 'Consecutive', 9, NULL, 3);
                INSERT INTO environment.stations (id, name, source_id, discharge_point_id, grid_id, grid_path, pollutants, created_at)
                VALUES (@station, @stationName, @sourceId, @pointId, @gridId, @path, ARRAY['COD','NH3N','PH'], @now);
                """, new
            {
                sourceId,
                pointId,
                name = d.Name,
                code = $"91410000DEMO{d.Station[^2..]}X",
                @class = d.Class,
                gridId,
                path,
                lon = d.Lon,
                lat = d.Lat,
                now,
                cod = d.CodLimit,
                station = d.Station,
                stationName = d.Name + " 在线监测",
            }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        logger.LogInformation("Seeded {Count} demo pollution sources with stations", placed.Count);
    }
}
