// Command centre latency: grid workers report cases at the gateway at a fixed rate (open loop) for a bounded time;
// per case, the time from the request leaving the client to its row in the command centre's read model
// (projected_at). Everything runs as deployed: gateway, fire service and command centre as their own processes
// from the Release build, on real PostgreSQL and RabbitMQ; the report passes the gateway (token, rate limit),
// the fire service (case + outbox + audit in one transaction), the outbox relay, the broker and the command
// centre's inbox and projection. The baseline, in the same run on the same requests, is the report's own round
// trip (request → 201 from the gateway). Loopback only; bounded by --seconds (max 120) and --rate (max 2000).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Grid.Testing;
using Microsoft.Extensions.Hosting;
using Npgsql;

internal static class CommandCenterBench
{
    public static async Task Main(string[] args)
    {
        var rate = Math.Clamp(Arg(args, "--rate", 500), 1, 2000);
        var seconds = Math.Clamp(Arg(args, "--seconds", 60), 1, 120);
        var total = rate * seconds;

        var infra = await GridInfrastructure.GetDurableAsync();
        var messaging = await infra.CreateVirtualHostAsync("benchcmd");
        var commandDb = await infra.CreateDatabaseAsync("benchcmd");
        // As deployed: Production, and RS256 tokens checked against a JWKS (Production refuses the HS256 development key).
        await using var authority = await TestSigningAuthority.StartAsync();
        var production = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Identity__JwksUrl"] = authority.JwksUrl,
        };

        await using var command = await ProjectProcess.StartAsync("command", "services/Grid.CommandCenter", new Dictionary<string, string>(production)
        {
            ["ConnectionStrings__commanddb"] = commandDb,
            ["ConnectionStrings__messaging"] = messaging,
        });

        // The fire service with a small county of its own (no organization service needed for a fixed tree).
        const string county = "BC";
        var grids = new List<FireGrid> { new(county, county, "county") };
        for (var t = 1; t <= 5; t++)
        {
            grids.Add(new($"{county}-T{t}", $"{county}-T{t}", "large", county));
            for (var v = 1; v <= 10; v++)
            {
                grids.Add(new($"{county}-T{t}-V{v}", $"{county}-T{t}-V{v}", "mid", $"{county}-T{t}"));
            }
        }

        var fire = await FireServiceSettings.CreateAsync(infra, messaging, "benchfire", grids);
        foreach (var (k, v) in production)
        {
            fire[k] = v;
        }

        await using var fireService = await ProjectProcess.StartAsync("fire", "services/Grid.FireSafety", fire);
        await using var gateway = await ProjectProcess.StartAsync("gateway", "gateway/Grid.Gateway", new Dictionary<string, string>(production)
        {
            ["ConnectionStrings__cache"] = infra.RedisConnectionString,
            ["Gateway__RateLimit__KeyPrefix"] = GridInfrastructure.UniqueName("benchcmd") + ":",
            // Counted in Redis like any other client, never exhausted by the one bench worker.
            ["Gateway__RateLimit__Routes__fire__PermitLimit"] = "2000000000",
            ["services__fire__http__0"] = fireService.Url.ToString().TrimEnd('/'),
            ["services__command__http__0"] = command.Url.ToString().TrimEnd('/'),
        });

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = gateway.Url,
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", authority.Mint("bench-worker", [new GridPost("grid-worker", "fire", county)], name: "压测网格员"));

        var sent = new ConcurrentDictionary<Guid, DateTimeOffset>();
        var roundTrips = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>();

        async Task ReportAsync(int n, bool measured)
        {
            var body = new { category = "evacuation", severity = "general", title = "堵塞消防通道", gridId = $"{county}-T{(n % 5) + 1}-V{(n % 10) + 1}" };
            var at = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await http.PostAsJsonAsync("/api/fire/v1/cases", body);
                var elapsed = clock.Elapsed.TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    if (failures.IsEmpty)
                    {
                        Console.WriteLine($"first refusal: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }

                    failures.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
                    return;
                }

                var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
                if (measured)
                {
                    sent[id] = at;
                    roundTrips.Add(elapsed);
                }
            }
            catch (Exception ex)
            {
                // Counted like a refusal, so one broken exchange under overload does not end the run unreported.
                if (failures.IsEmpty)
                {
                    Console.WriteLine($"first failure: {ex.GetType().Name}: {ex.Message}");
                }

                failures.AddOrUpdate(ex.GetType().Name, 1, (_, c) => c + 1);
            }
        }

        // Warm-up, not measured: pools and caches of every part, and the JIT — .NET compiles hot code again, optimised,
        // only after it has run a while, in the background; in a 5 s warm-up that recompiling was still taking a
        // seventh of a core well into the measured minute, and after 20 s at a quarter of the rate still 12 % of the
        // gateway's core on a busy host. So the warm-up goes on, in steps of 5 s, until the JIT of every process
        // (its /metrics) spent under 50 ms in the last step: a service running for days does not pay that.
        var minWarmup = Math.Clamp(Arg(args, "--warmup", 20), 0, 120);
        var jitOf = new (string Name, Uri Url)[] { ("gateway", gateway.Url), ("fire", fireService.Url), ("command", command.Url) };
        var jitBefore = await JitSecondsAsync(http, jitOf);
        var warmedFor = 0;
        double[] spent = [];
        while (warmedFor < 120)
        {
            await RunAsync(Math.Max(1, rate / 4), 5, n => ReportAsync(n, measured: false));
            warmedFor += 5;
            var jitNow = await JitSecondsAsync(http, jitOf);
            spent = jitNow.Zip(jitBefore, (x, y) => x - y).ToArray();
            jitBefore = jitNow;
            if (warmedFor >= minWarmup && spent.All(x => x < 0.05))
            {
                break;
            }
        }

        Console.WriteLine($"warmed up for {warmedFor} s at a quarter of the rate; JIT in the last 5 s: " +
            string.Join(", ", jitOf.Select((j, i) => $"{j.Name} {spent.ElementAtOrDefault(i) * 1000:F0} ms")));
        await Task.Delay(3000);
        failures.Clear();

        // PostgreSQL's background work during the load (autovacuum, autoanalyze), by table: a burst of it is one
        // candidate cause of the episodes in the tail below.
        var databases = new[] { ("command", commandDb), ("fire", fire["ConnectionStrings__firedb"]) };
        var maintenanceBefore = await MaintenanceAsync(databases);
        var loadStart = DateTimeOffset.UtcNow;
        var load = await Cpu.SampleAsync(async () =>
        {
            Console.WriteLine($"reporting {total} cases at the gateway at {rate}/s for {seconds} s");
            var wall = Stopwatch.StartNew();
            await RunAsync(rate, seconds, n => ReportAsync(n, measured: true));
            Console.WriteLine($"reported in {wall.Elapsed.TotalSeconds:F1} s ({sent.Count} accepted, {failures.Values.Sum()} failed{(failures.IsEmpty ? "" : ": " + string.Join(", ", failures.Select(f => $"{f.Key}×{f.Value}")))})");
        });

        await using var conn = new NpgsqlConnection(commandDb);
        var ids = sent.Keys.ToArray();
        var waited = Stopwatch.StartNew();
        long projected = 0;
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            projected = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM cc_cases WHERE case_id = ANY(@ids)", new { ids });
            if (projected >= ids.Length)
            {
                break;
            }

            await Task.Delay(250);
        }

        var rows = (await conn.QueryAsync<(Guid Id, DateTime ProjectedAt)>("SELECT case_id, projected_at FROM cc_cases WHERE case_id = ANY(@ids)", new { ids })).ToList();
        var latencies = rows.Select(r => (new DateTimeOffset(DateTime.SpecifyKind(r.ProjectedAt, DateTimeKind.Utc)) - sent[r.Id]).TotalMilliseconds).Order().ToArray();
        var accepted = roundTrips.Order().ToArray();

        Console.WriteLine();
        Console.WriteLine($"| path | cases | p50 ms | p99 ms | max ms |");
        Console.WriteLine($"|---|---|---|---|---|");
        Console.WriteLine($"| report at the gateway → 201 (baseline) | {accepted.Length}/{total} | {P(accepted, 0.5):F1} | {P(accepted, 0.99):F1} | {accepted.LastOrDefault():F1} |");
        Console.WriteLine($"| report at the gateway → command read model | {latencies.Length}/{total} | {P(latencies, 0.5):F1} | {P(latencies, 0.99):F1} | {latencies.LastOrDefault():F1} |");
        Console.WriteLine();
        Console.WriteLine($"ratio read model / round trip: p50 {P(latencies, 0.5) / P(accepted, 0.5):F1}x, p99 {P(latencies, 0.99) / P(accepted, 0.99):F1}x; " +
            $"target p99 < 200 ms at {rate}/s: {(latencies.Length == total && P(latencies, 0.99) < 200 ? "met" : "NOT met")}");
        // Where the tail lies in time: clustered in a few seconds (an episode: a pause, a vacuum, a backlog) or spread.
        if (rows.Count > 0)
        {
            var start = sent.Values.Min();
            var bySecond = rows.GroupBy(r => (int)(sent[r.Id] - start).TotalSeconds)
                .Select(g => (Second: g.Key, Max: g.Max(r => (new DateTimeOffset(DateTime.SpecifyKind(r.ProjectedAt, DateTimeKind.Utc)) - sent[r.Id]).TotalMilliseconds),
                    Over: g.Count(r => (new DateTimeOffset(DateTime.SpecifyKind(r.ProjectedAt, DateTimeKind.Utc)) - sent[r.Id]).TotalMilliseconds >= 200)))
                .ToList();
            Console.WriteLine($"cases at or above 200 ms: {bySecond.Sum(b => b.Over)}, sent in {bySecond.Count(b => b.Over > 0)} of {bySecond.Count} seconds; worst seconds: " +
                string.Join(", ", bySecond.OrderByDescending(b => b.Max).Take(5).OrderBy(b => b.Second).Select(b => $"{b.Second} s ({b.Over} over, max {b.Max:F0} ms)")));
        }

        var maintenance = (await MaintenanceAsync(databases))
            .Select(m => (m.Table, Runs: m.Runs - maintenanceBefore.FirstOrDefault(b => b.Table == m.Table).Runs, m.Last))
            .Where(m => m.Runs > 0)
            .ToList();
        Console.WriteLine("autovacuum/autoanalyze during the load: " + (maintenance.Count == 0 ? "none" : string.Join(", ",
            maintenance.Select(m => $"{m.Table} ×{m.Runs} (last at {(m.Last - loadStart)?.TotalSeconds:F0} s)"))));

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, busy {load.Busy:P0} during the load (load generator, gateway, fire, command centre, PostgreSQL, RabbitMQ, Redis), " +
            $"of which stolen by the hypervisor {load.Steal:P0}");
        if (infra.Owned is { } owned)
        {
            await owned.StopAsync();
        }
    }

    /// <summary>Starts one call every 1/rate s for the given time without waiting for earlier ones (open loop), then waits for all.</summary>
    static async Task RunAsync(int rate, int seconds, Func<int, Task> call)
    {
        var clock = Stopwatch.StartNew();
        var running = new List<Task>(rate * seconds);
        for (var i = 0; i < rate * seconds; i++)
        {
            // One reading of the clock: read twice, the wait could turn negative in between (and Task.Delay throw).
            var wait = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var n = i;
            running.Add(Task.Run(() => call(n)));
        }

        await Task.WhenAll(running);
    }

    /// <summary>Seconds each process's JIT has spent since it started (dotnet_jit_compilation_time_seconds_total on /metrics).</summary>
    static async Task<double[]> JitSecondsAsync(HttpClient http, (string Name, Uri Url)[] processes)
    {
        var seconds = new double[processes.Length];
        for (var i = 0; i < processes.Length; i++)
        {
            var text = await http.GetStringAsync(new Uri(processes[i].Url, "/metrics"));
            var line = text.Split('\n').First(l => l.StartsWith("dotnet_jit_compilation_time_seconds_total", StringComparison.Ordinal));
            seconds[i] = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return seconds;
    }

    /// <summary>Per table of each database: autovacuum and autoanalyze runs so far, and the latest of them.</summary>
    static async Task<List<(string Table, long Runs, DateTimeOffset? Last)>> MaintenanceAsync((string Name, string Connection)[] databases)
    {
        var all = new List<(string, long, DateTimeOffset?)>();
        foreach (var (name, connection) in databases)
        {
            await using var conn = new NpgsqlConnection(connection);
            var rows = await conn.QueryAsync<(string Table, long Runs, DateTime? Last)>("""
                SELECT schemaname || '.' || relname, autovacuum_count + autoanalyze_count, GREATEST(last_autovacuum, last_autoanalyze)
                FROM pg_stat_user_tables
                """);
            all.AddRange(rows.Select(r => ($"{name}:{r.Table}", r.Runs, r.Last is { } l ? new DateTimeOffset(DateTime.SpecifyKind(l, DateTimeKind.Utc)) : (DateTimeOffset?)null)));
        }

        return all;
    }

    static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

/// <summary>
/// The machine's CPU use over a piece of work, from /proc/stat (all processes, all cores), and the share the
/// hypervisor took for other guests (steal): on a shared host that share decides how much of two cores the run had.
/// </summary>
internal static class Cpu
{
    public static async Task<(double Busy, double Steal)> SampleAsync(Func<Task> work)
    {
        var before = Read();
        await work();
        var after = Read();
        var total = after.Total - before.Total;
        return total <= 0 ? (double.NaN, double.NaN)
            : (1 - ((double)(after.Idle - before.Idle) / total), (double)(after.Steal - before.Steal) / total);
    }

    static (long Total, long Idle, long Steal) Read()
    {
        var parts = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        return (parts.Sum(), parts[3] + parts[4], parts.Length > 7 ? parts[7] : 0);
    }
}
