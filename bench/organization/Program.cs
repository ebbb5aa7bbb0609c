// ResolveGridByPoint over gRPC (Redis-cached) against the raw PostGIS point-in-polygon query, same points, same run.
// Loopback only, bounded in time: ~15 s per phase. Usage: dotnet run -c Release --project bench/organization [seconds]
using System.Diagnostics;
using System.Net;
using Grid.Contracts.Organization.V1;
using Grid.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Npgsql;

namespace Grid.Bench.Organization;

public static class ResolveBench
{
    public static async Task Main(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 15;
        const int Side = 317; // 317 × 317 = 100,489 polygons
        const int Workers = 8;
        const int DistinctPoints = 5_000;

        // WebApplicationFactory finds the service's content root through MvcTestingAppManifest.json in the
        // current directory, which under `dotnet run` is the repository, not the build output.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("orgbench");
        var port = Grid.AppHost.Hosting.FreePort.Next();
        await using var factory = new GridServiceFactory<global::Program>()
            .WithConnectionString("organizationdb", db)
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("Grid:CachePrefix", GridInfrastructure.UniqueName("orgbench"))
            .WithSetting("Logging:LogLevel:Default", "Warning");
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        factory.StartServer();

        var load = Stopwatch.StartNew();
        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            var root = Guid.NewGuid();
            await using var cmd = new NpgsqlCommand(
                $"""
                INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary)
                VALUES (@root, 'BENCH', '基准县', '县', 0, NULL, 'comprehensive', ARRAY[@root], ST_MakeEnvelope(113.0, 34.5, 113.6, 34.9, 4326));
                INSERT INTO grids (id, code, name, level_name, depth, parent_id, hierarchy, path, boundary)
                SELECT id, 'B-' || x || '-' || y, '网格' || x || '-' || y, '小网格', 1, @root, 'comprehensive', ARRAY[@root, id],
                       ST_MakeEnvelope(113.0 + 0.6 * x / {Side}, 34.5 + 0.4 * y / {Side}, 113.0 + 0.6 * (x + 1) / {Side}, 34.5 + 0.4 * (y + 1) / {Side}, 4326)
                FROM (SELECT gen_random_uuid() AS id, x, y FROM generate_series(0, {Side - 1}) x, generate_series(0, {Side - 1}) y) t;
                ANALYZE grids;
                """, conn);
            cmd.Parameters.AddWithValue("root", root);
            cmd.CommandTimeout = 600;
            await cmd.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"loaded {Side * Side + 1:N0} grid polygons in {load.Elapsed.TotalSeconds:F1} s");
        var random = new Random(42);
        var points = Enumerable.Range(0, DistinctPoints).Select(_ => (Lon: 113.0 + random.NextDouble() * 0.6, Lat: 34.5 + random.NextDouble() * 0.4)).ToArray();

        // Baseline: the raw query the service runs on a cache miss.
        var dataSource = NpgsqlDataSource.Create(db + ";Maximum Pool Size=16");
        var raw = await RunAsync("raw PostGIS (Npgsql)", async i =>
        {
            var (lon, lat) = points[i % points.Length];
            await using var conn = await dataSource.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand(
                "SELECT id FROM grids WHERE hierarchy = $1 AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint($2, $3), 4326)) ORDER BY depth DESC, code LIMIT 1", conn);
            cmd.Parameters.AddWithValue("comprehensive");
            cmd.Parameters.AddWithValue(lon);
            cmd.Parameters.AddWithValue(lat);
            if (await cmd.ExecuteScalarAsync() is null)
            {
                throw new InvalidOperationException("point outside");
            }
        });

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");

        var client = new Grid.Contracts.Organization.V1.Organization.OrganizationClient(channel);
        var headers = new Metadata { { "Authorization", "Bearer " + TestTokens.Admin() } };
        // Warm the cache once over the working set, as a running suite would have.
        foreach (var (lon, lat) in points)
        {
            await client.ResolveGridByPointAsync(new ResolveGridByPointRequest { Hierarchy = "comprehensive", Longitude = lon, Latitude = lat }, headers);
        }

        var grpc = await RunAsync("gRPC ResolveGridByPoint (cached)", async i =>
        {
            var (lon, lat) = points[i % points.Length];
            await client.ResolveGridByPointAsync(new ResolveGridByPointRequest { Hierarchy = "comprehensive", Longitude = lon, Latitude = lat }, headers);
        });

        Console.WriteLine($"ratio cached gRPC / raw PostGIS: {grpc.OpsPerSecond / raw.OpsPerSecond:F2}x (target >= 2x); gRPC p99 {grpc.P99:F2} ms (target < 5 ms)");
        Console.WriteLine($"load average during the run: {File.ReadAllText("/proc/loadavg").Trim()}");

        async Task<(double OpsPerSecond, double P50, double P99)> RunAsync(string name, Func<int, Task> op)
        {
            var latencies = new List<double>[Workers];
            var deadline = Stopwatch.StartNew();
            var counter = -1;
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                var mine = latencies[w] = new List<double>(100_000);
                while (deadline.Elapsed.TotalSeconds < seconds && mine.Count < 2_000_000)
                {
                    var i = Interlocked.Increment(ref counter);
                    var t = Stopwatch.GetTimestamp();
                    await op(i);
                    mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
            })));
            var elapsed = deadline.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            var result = (all.Length / elapsed, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
            Console.WriteLine($"{name,-34} {all.Length,9:N0} ops in {elapsed:F1} s = {result.Item1,9:N0} ops/s  p50 {result.Item2:F2} ms  p99 {result.Item3:F2} ms");
            return result;
        }

    }
}
