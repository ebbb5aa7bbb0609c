using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.LocalServers;
using Grid.Testing;
using Grid.Testing.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Bench.Environment;

// Reading ingestion over HTTP (Kestrel on loopback: validation, grouped binary COPY into readings, rule evaluation,
// cases) against PostgreSQL's own binary COPY of the same batches over as many connections, on durable PostgreSQL
// (fsync and synchronous commit on). Batches as stations send them: each station's own in time order, many at once —
//   station-minute  one station's minute (4 rows), 20 stations each on its own connection      (headline)
//   gateway-minute  a station gateway's minute of its 20 stations (80 rows), 8 gateways at once (headline)
//   station-hour    one station's hour (240 rows), 20 stations at once
//   backfill        62 minutes of 20 stations (4,960 rows), 2 clients at once: bulk catch-up after an outage
// Each phase: COPY, then HTTP, then COPY again, each --seconds long (default 8); the baseline is the better COPY, so
// background work in either cannot flatter the ratio. Every phase writes stations and times never written before.
//   ./grid bench environment [--seconds 8]
internal static class Bench
{
    private static readonly string[] Pollutants = ["COD", "NH3N", "TP", "PH"];

    public static async Task Main()
    {
        var seconds = Arg("--seconds", 8);
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var infra = await GridInfrastructure.GetDurableAsync();
        var db = await infra.CreateDatabaseAsync("bench_env");
        var amqp = await infra.CreateVirtualHostAsync("bench_env");
        await using var tree = await GridTree.StartAsync("environment");
        var port = FreePort.Next();
        var host = new BenchHost()
            .WithConnectionString("environmentdb", db)
            .WithConnectionString("messaging", amqp)
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("services:organization:grpc:0", tree.Address)
            .WithSetting("Logging:LogLevel:Default", "Warning")
            // The bench sends weeks of back-dated minutes in seconds, so every station would look silent (断线) and
            // open a case; silence is not what this measures.
            .WithSetting("Environment:Silence:SilentAfterMinutes", "100000");
        host.UseKestrel(port);
        host.StartServer();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        Console.WriteLine($"durable PostgreSQL (fsync on, synchronous_commit on); {System.Environment.ProcessorCount} cores shared by the service, PostgreSQL and the clients; load {Load()}");

        Phase[] phases =
        [
            new("station-minute", "one station's minute (4 rows)", Clients: 20, StationsPerClient: 1, MinutesPerBatch: 1, Target: 0.25),
            new("gateway-minute", "a gateway's minute of 20 stations (80 rows)", Clients: 8, StationsPerClient: 20, MinutesPerBatch: 1, Target: 0.4),
            new("station-hour", "one station's hour (240 rows)", Clients: 20, StationsPerClient: 1, MinutesPerBatch: 60, Target: null),
            new("backfill", "62 minutes of 20 stations (4,960 rows)", Clients: 2, StationsPerClient: 20, MinutesPerBatch: 62, Target: null),
        ];
        var warm = new Phase("warm-up", "warm-up", Clients: 20, StationsPerClient: 1, MinutesPerBatch: 1, Target: null);

        // Register: one source, one discharge point with three rules, every phase's stations on it.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create("bench-admin", ["admin"], ["environment"]));
        var source = await Json(await http.PostAsJsonAsync("/api/environment/v1/sources", new { name = "基准化工厂", @class = "key", gridId = GridTree.VillageA1 }));
        var point = await Json(await http.PostAsJsonAsync($"/api/environment/v1/sources/{source.GetProperty("id")}/discharge-points", new
        {
            code = "DW001",
            medium = "water",
            limits = new object[]
            {
                new { pollutant = "COD", kind = "Instant", limit = 100.0 },
                new { pollutant = "NH3N", kind = "RollingAverage", limit = 5.0, windowMinutes = 60 },
                new { pollutant = "TP", kind = "Consecutive", limit = 0.5, consecutiveCount = 5 },
            },
        }));
        foreach (var phase in phases.Prepend(warm))
        {
            foreach (var station in Enumerable.Range(0, phase.Clients).SelectMany(phase.StationsOf))
            {
                await Json(await http.PostAsJsonAsync("/api/environment/v1/stations", new { id = station, dischargePointId = point.GetProperty("id").GetString(), pollutants = Pollutants }));
            }
        }

        // Every phase's series start 20 days back (inside casework's window for back-dated reports) and stop an hour ago.
        var origin = DateTimeOffset.UtcNow.AddDays(-20);
        origin = new DateTimeOffset(origin.Year, origin.Month, origin.Day, origin.Hour, origin.Minute, 0, TimeSpan.Zero);
        var stop = DateTimeOffset.UtcNow.AddHours(-1);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create("bench-station", ["station"], ["environment"]));

        // Warm-up until the JIT settles (the service runs in this process): 3 s rounds of station-minute batches until
        // a round compiles fewer than 50 methods (at most 60 s). The baseline's code is warmed too.
        var warmWatch = Stopwatch.StartNew();
        var next = new int[warm.Clients];
        for (var round = 0; warmWatch.Elapsed < TimeSpan.FromSeconds(60); round++)
        {
            var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            await HttpAsync(http, warm, origin, stop, TimeSpan.FromSeconds(3), next);
            if (round >= 2 && System.Runtime.JitInfo.GetCompiledMethodCount() - jitted < 50)
            {
                break;
            }
        }

        await CopyAsync(db, "bench_copy_warm", warm, origin, stop, TimeSpan.FromSeconds(3));
        Console.WriteLine($"warm-up: {warmWatch.Elapsed.TotalSeconds:F0} s until a 3 s round compiled < 50 methods");

        var results = new List<string>();
        var headline = new List<string>();
        foreach (var phase in phases)
        {
            var span = TimeSpan.FromSeconds(seconds);
            var loadBefore = Load();
            var before = await CopyAsync(db, $"bench_copy_{phase.Name.Replace('-', '_')}_1", phase, origin, stop, span);
            var service = await HttpAsync(http, phase, origin, stop, span, new int[phase.Clients]);
            var after = await CopyAsync(db, $"bench_copy_{phase.Name.Replace('-', '_')}_2", phase, origin, stop, span);
            var copy = Math.Max(before.RowsPerSecond, after.RowsPerSecond);
            var ratio = service.RowsPerSecond / copy;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{phase.Name} ({phase.What}, {phase.Clients} clients at once): HTTP {service.RequestsPerSecond:N0} req/s = {service.RowsPerSecond:N0} rows/s, p50 {service.P50Ms:F1} ms, p99 {service.P99Ms:F1} ms; " +
                $"COPY of the same batches over {phase.Clients} connections {copy:N0} rows/s ({before.RowsPerSecond:N0} before, {after.RowsPerSecond:N0} after); " +
                $"ratio {ratio:F2}{(phase.Target is { } t ? $" (target ≥ {t:F2})" : "")}; load {loadBefore} → {Load()}");
            Console.WriteLine(line);
            results.Add(line);
            if (phase.Target is not null)
            {
                headline.Add(string.Create(CultureInfo.InvariantCulture, $"{phase.Name} {ratio:F2}× COPY ({service.RowsPerSecond:N0} rows/s, p99 {service.P99Ms:F0} ms)"));
            }
        }

        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            // Cases for new episodes are opened just after their batch (CaseFollowUpWorker): wait for them, at most a minute.
            var caught = Stopwatch.StartNew();
            while (true)
            {
                await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM environment.readings), (SELECT count(*) FROM environment.exceedance_episodes), (SELECT count(*) FROM casework.cases)", conn);
                await using var reader = await count.ExecuteReaderAsync();
                await reader.ReadAsync();
                var (stored, episodes, cases) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                if (cases >= episodes || caught.Elapsed > TimeSpan.FromMinutes(1))
                {
                    Console.WriteLine($"stored {stored:N0} readings (warm-up included), {episodes} exceedance episodes, {cases} cases (all opened {caught.Elapsed.TotalSeconds:F1} s after the last phase)");
                    break;
                }

                await Task.Delay(200);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"headline ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {System.Environment.ProcessorCount} cores, durable PostgreSQL, load {Load()}): {string.Join("; ", headline)}");

        // The service first, so it does not log the broker and database going away under it.
        await host.DisposeAsync();
        if (infra.Owned is { } owned)
        {
            await owned.StopAsync();
        }
    }

    /// <summary>A workload: clients at once, each sending its own stations' readings in time order.</summary>
    private sealed record Phase(string Name, string What, int Clients, int StationsPerClient, int MinutesPerBatch, double? Target)
    {
        public IEnumerable<string> StationsOf(int client) =>
            Enumerable.Range(0, StationsPerClient).Select(s => $"{Name[..2].ToUpperInvariant()}{Name.Length:D2}-{client:D2}-{s:D2}");

        /// <summary>The client's batch number <paramref name="k"/>: its stations over the next minutes, time first; null past <paramref name="stop"/>.</summary>
        public List<Row>? Batch(int client, int k, DateTimeOffset origin, DateTimeOffset stop)
        {
            var first = origin.AddMinutes((long)k * MinutesPerBatch);
            if (first.AddMinutes(MinutesPerBatch) > stop)
            {
                return null;
            }

            var rng = new Random(HashCode.Combine(Name, client, k));
            var rows = new List<Row>(MinutesPerBatch * StationsPerClient * Pollutants.Length);
            for (var m = 0; m < MinutesPerBatch; m++)
            {
                foreach (var station in StationsOf(client))
                {
                    foreach (var p in Pollutants)
                    {
                        var spike = rng.NextDouble() < 0.002;
                        var value = p switch
                        {
                            "COD" => spike ? 150 : 40 + (rng.NextDouble() * 30),
                            "NH3N" => spike ? 30 : 1 + (rng.NextDouble() * 2),
                            "TP" => spike ? 0.9 : 0.1 + (rng.NextDouble() * 0.2),
                            _ => 6.5 + rng.NextDouble(),
                        };
                        rows.Add(new Row(station, p, Math.Round(value, 3), p == "PH" ? "pH" : "mg/L", first.AddMinutes(m)));
                    }
                }
            }

            return rows;
        }
    }

    internal sealed record Row(string Station, string Pollutant, double Value, string Unit, DateTimeOffset Time);

    private sealed record Outcome(double RowsPerSecond, double RequestsPerSecond, double P50Ms, double P99Ms);

    /// <summary>Each client posts its next batch when the last is answered, until the time is up.</summary>
    private static async Task<Outcome> HttpAsync(HttpClient http, Phase phase, DateTimeOffset origin, DateTimeOffset stop, TimeSpan span, int[] next)
    {
        var latencies = new List<double>[phase.Clients];
        long rows = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, phase.Clients).Select(async c =>
        {
            latencies[c] = [];
            while (watch.Elapsed < span && phase.Batch(c, next[c], origin, stop) is { } batch)
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(batch.Select(r => new { station = r.Station, pollutant = r.Pollutant, value = r.Value, unit = r.Unit, time = r.Time }));
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var sent = Stopwatch.GetTimestamp();
                using var r = await http.PostAsync("/api/environment/v1/readings:batch", content);
                if (!r.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
                }

                latencies[c].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                next[c]++;
                Interlocked.Add(ref rows, batch.Count);
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Outcome(rows / elapsed, all.Length / elapsed, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]);
    }

    /// <summary>Binary COPY of the phase's batches, one transaction each, one connection per client, into a new table shaped like readings.</summary>
    private static async Task<Outcome> CopyAsync(string db, string table, Phase phase, DateTimeOffset origin, DateTimeOffset stop, TimeSpan span)
    {
        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE TABLE {table} (LIKE environment.readings INCLUDING ALL)", conn);
            await create.ExecuteNonQueryAsync();
        }

        long rows = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, phase.Clients).Select(async c =>
        {
            await using var conn = new NpgsqlConnection(db);
            await conn.OpenAsync();
            for (var k = 0; watch.Elapsed < span && phase.Batch(c, k, origin, stop) is { } batch; k++)
            {
                await using var writer = await conn.BeginBinaryImportAsync($"COPY {table} (station_id, pollutant, time, value, unit, received_at) FROM STDIN (FORMAT BINARY)");
                var now = DateTime.UtcNow;
                foreach (var r in batch)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(r.Station, NpgsqlDbType.Text);
                    await writer.WriteAsync(r.Pollutant, NpgsqlDbType.Text);
                    await writer.WriteAsync(r.Time.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(r.Value, NpgsqlDbType.Double);
                    await writer.WriteAsync(r.Unit, NpgsqlDbType.Text);
                    await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                }

                await writer.CompleteAsync();
                Interlocked.Add(ref rows, batch.Count);
            }
        }));
        return new Outcome(rows / watch.Elapsed.TotalSeconds, 0, 0, 0);
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int Arg(string name, int fallback)
    {
        var args = System.Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{r.RequestMessage?.RequestUri}: {r.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>The service on a real loopback port; content root found from the repository root.</summary>
internal sealed class BenchHost : GridServiceFactory<Program>
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Grid.sln")))
        {
            dir = dir.Parent;
        }

        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseContentRoot(builder,
            Path.Combine(dir?.FullName ?? ".", "services", "Grid.EnvironmentMonitoring"));
    }
}
