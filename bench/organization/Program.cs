// ResolveGridByPoint over gRPC against the raw PostGIS point-in-polygon query, in one run, on two workloads:
//   1. distinct: every call a position never asked before (a worker's phone), no warm-up — the figure that counts;
//   2. repeated: 5,000 fixed positions asked again and again after one pass over them (a subject's fixed address).
// Servers: PostgreSQL and Redis of our own, durable as `./grid up` runs them (fsync, synchronous_commit and
// full_page_writes on; Redis append-only), not the test fixture's fsync=off ones.
// Loopback only, bounded in time: ~15 s per phase. Usage: dotnet run -c Release --project bench/organization [seconds]
using System.Diagnostics;
using System.Net;
using Grid.Contracts.Organization.V1;
using Grid.LocalServers;
using Grid.Organization.Infrastructure;
using Grid.Testing;
using Grid.Testing.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.Bench.Organization;

public static class ResolveBench
{
    private const int Side = 317; // 317 × 317 = 100,489 polygons, and the county around them
    private const int Workers = 8;
    private const int RepeatedPoints = 5_000;
    private const string Query = "SELECT id FROM grids WHERE hierarchy = $1 AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint($2, $3), 4326)) ORDER BY depth DESC, code LIMIT 1";

    public static async Task Main(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 15;

        // WebApplicationFactory finds the service's content root through MvcTestingAppManifest.json in the
        // current directory, which under `dotnet run` is the repository, not the build output.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var state = Directory.CreateTempSubdirectory("grid-orgbench-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101); // the postgres user must reach its data directory
        }
        var builder = DistributedApplication.CreateBuilder(state, state);
        var postgres = builder.AddPostgres("postgres", FreePort.Next());
        var redis = builder.AddRedis("cache", FreePort.Next());
        var servers = builder.Build();
        await servers.StartAsync();
        try
        {
            await RunAsync(seconds, postgres, redis);
        }
        finally
        {
            await servers.StopAsync();
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task RunAsync(int seconds, LocalPostgres postgres, LocalRedis redis)
    {
        await postgres.EnsureDatabaseAsync("orgbench");
        var db = postgres.ConnectionStringFor("orgbench");
        var port = FreePort.Next();
        await using var factory = new GridServiceFactory<global::Program>()
            .WithConnectionString("organizationdb", db)
            .WithConnectionString("cache", redis.ConnectionString)
            .WithSetting("Logging:LogLevel:Default", "Warning");
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        factory.StartServer();

        var dataSource = NpgsqlDataSource.Create(db + ";Maximum Pool Size=16");
        Console.WriteLine($"PostgreSQL: fsync={await ShowAsync("fsync")} synchronous_commit={await ShowAsync("synchronous_commit")} full_page_writes={await ShowAsync("full_page_writes")} (durable, as ./grid up runs it)");
        Console.WriteLine($"load average at start: {LoadAverage()}");

        var load = Stopwatch.StartNew();
        await using (var conn = await dataSource.OpenConnectionAsync())
        {
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

        Console.WriteLine($"loaded {(Side * Side) + 1:N0} grid polygons into PostgreSQL in {load.Elapsed.TotalSeconds:F1} s");

        // The service finds the new rows by its poll (they were written behind its back) and loads them itself.
        var index = factory.Services.GetRequiredService<GridIndex>();
        await Wait.UntilAsync(() => Task.FromResult(index.Current && index.Indexes["comprehensive"].Count == (Side * Side) + 1), TimeSpan.FromMinutes(2), "the service's point index");


        // The index's cost: one hierarchy's snapshot read and built here, its retained size measured around it.
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var timer = Stopwatch.StartNew();
        var snapshot = await GridIndex.LoadAsync(dataSource, "comprehensive");
        var loadSeconds = timer.Elapsed.TotalSeconds;
        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"point index: {snapshot.Count:N0} polygons read and built in {loadSeconds:F2} s, {bytes / 1048576.0:F0} MiB retained (twice that while a reload replaces it)");
        GC.KeepAlive(snapshot);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Grid.Contracts.Organization.V1.Organization.OrganizationClient(channel);
        var headers = new Metadata { { "Authorization", "Bearer " + TestTokens.Admin() } };
        Task Resolve((double Lon, double Lat) p) => client.ResolveGridByPointAsync(
            new ResolveGridByPointRequest { Hierarchy = "comprehensive", Longitude = p.Lon, Latitude = p.Lat }, headers).ResponseAsync;

        // The floor: the same channel, token check and scope check around an answer the service holds in process
        // (one grid by code, a local cache hit) — what no lookup over gRPC on this machine can beat.
        Task Floor() => client.GetGridAsync(new GetGridRequest { Code = "BENCH" }, headers).ResponseAsync;

        async Task Raw((double Lon, double Lat) p)
        {
            await using var conn = await dataSource.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand(Query, conn);
            cmd.Parameters.AddWithValue("comprehensive");
            cmd.Parameters.AddWithValue(p.Lon);
            cmd.Parameters.AddWithValue(p.Lat);
            if (await cmd.ExecuteScalarAsync() is null)
            {
                throw new InvalidOperationException("point outside");
            }
        }

        // The JIT, the connection pools and the token check settle first, on positions of streams of their own that
        // are never asked again: this warms the code, not a cache over the positions measured. Rounds of 2 s a path
        // until a round makes the JIT compile fewer than 50 methods (at least 6 s, at most 90 s).
        var warm = Stopwatch.StartNew();
        var rounds = 0;
        for (var settled = false; !settled && warm.Elapsed < TimeSpan.FromSeconds(90); rounds++)
        {
            var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            await PhaseAsync("warm-up raw PostGIS", i => Raw(Distinct(8, (rounds * 1_000_000L) + i)), 2, quiet: true);
            await PhaseAsync("warm-up gRPC", i => Resolve(Distinct(9, (rounds * 1_000_000L) + i)), 2, quiet: true);
            await PhaseAsync("warm-up floor", _ => Floor(), 2, quiet: true);
            settled = warm.Elapsed >= TimeSpan.FromSeconds(6) && System.Runtime.JitInfo.GetCompiledMethodCount() - jitted < 50;
        }

        Console.WriteLine($"warm-up: {warm.Elapsed.TotalSeconds:F0} s ({rounds} rounds) until a round compiled < 50 methods; positions of their own, not counted");

        // 1. Distinct positions: each phase its own endless sequence, no position asked twice in the whole run.
        Console.WriteLine($"-- distinct positions (never asked before, never repeated), {Workers} callers, {seconds} s a phase");
        var rawDistinct = await PhaseAsync("raw PostGIS (Npgsql)", i => Raw(Distinct(1, i)));
        var grpcDistinct = await PhaseAsync("gRPC ResolveGridByPoint", i => Resolve(Distinct(2, i)));
        var floor = await PhaseAsync("floor: gRPC + token, no work", _ => Floor());

        // 2. Repeated positions: the same 5,000, after one pass over them.
        Console.WriteLine($"-- repeated positions ({RepeatedPoints:N0}, one pass over them first)");
        var fixedPoints = Enumerable.Range(0, RepeatedPoints).Select(i => Distinct(3, i)).ToArray();
        var rawRepeated = await PhaseAsync("raw PostGIS (Npgsql)", i => Raw(fixedPoints[i % RepeatedPoints]));
        foreach (var p in fixedPoints)
        {
            await Resolve(p);
        }

        var grpcRepeated = await PhaseAsync("gRPC ResolveGridByPoint", i => Resolve(fixedPoints[i % RepeatedPoints]));

        Console.WriteLine($"distinct: gRPC / raw PostGIS = {grpcDistinct.OpsPerSecond / rawDistinct.OpsPerSecond:F2}x (target >= 2x), gRPC p99 {grpcDistinct.P99:F2} ms (target < 5 ms); floor (gRPC, no work) / raw = {floor.OpsPerSecond / rawDistinct.OpsPerSecond:F2}x");
        Console.WriteLine($"repeated: gRPC / raw PostGIS = {grpcRepeated.OpsPerSecond / rawRepeated.OpsPerSecond:F2}x, gRPC p99 {grpcRepeated.P99:F2} ms");
        Console.WriteLine($"load average at the end: {LoadAverage()}");

        async Task<string> ShowAsync(string setting)
        {
            await using var conn = await dataSource.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand($"SHOW {setting}", conn);
            return (string)(await cmd.ExecuteScalarAsync())!;
        }

        async Task<(double OpsPerSecond, double P50, double P99)> PhaseAsync(string name, Func<long, Task> op, int? phaseSeconds = null, bool quiet = false)
        {
            var duration = phaseSeconds ?? seconds;
            var lookups = index.Lookups;
            var latencies = new List<double>[Workers];
            var deadline = Stopwatch.StartNew();
            var counter = -1L;
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                var mine = latencies[w] = new List<double>(100_000);
                while (deadline.Elapsed.TotalSeconds < duration && mine.Count < 2_000_000)
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
            var (memory, database) = index.Lookups;
            if (!quiet)
            {
                Console.WriteLine($"{name,-30} {all.Length,9:N0} ops in {elapsed:F1} s = {result.Item1,9:N0} ops/s  p50 {result.Item2:F2} ms  p99 {result.Item3:F2} ms  (load {LoadAverage()}; index answered {memory - lookups.FromMemory:N0}, PostGIS {database - lookups.ToDatabase:N0})");
            }

            return result;
        }
    }

    /// <summary>The i-th position of sequence <paramref name="stream"/>, uniform over the county (SplitMix64 of both).</summary>
    private static (double Lon, double Lat) Distinct(long stream, long i)
    {
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }

        var a = Mix(((ulong)stream << 40) + ((ulong)i * 2) + 0x9E3779B97F4A7C15);
        var b = Mix(((ulong)stream << 40) + ((ulong)i * 2) + 1 + 0x9E3779B97F4A7C15);
        return (113.0 + ((a >> 11) * (1.0 / (1UL << 53)) * 0.6), 34.5 + ((b >> 11) * (1.0 / (1UL << 53)) * 0.4));
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
