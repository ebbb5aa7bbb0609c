using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.AppHost.Hosting;
using Grid.Bench.Environment;
using Grid.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Bench.Environment;

// Reading ingestion over HTTP (validation, binary COPY into readings, rule evaluation, cases) against PostgreSQL's own
// binary COPY of the same rows into a table of the same shape, before and after the service in the same run (the
// better of the two is the baseline), on loopback.
// Bounded: at most --rows rows (default 200,000) and --seconds per phase (default 25).
internal static class Bench
{
    public static async Task Main()
    {
        var rowsWanted = Arg("--rows", 200_000);
        var seconds = Arg("--seconds", 25);
        var batchSize = Arg("--batch", 5_000);
        const int stations = 20;
        string[] pollutants = ["COD", "NH3N", "TP", "PH"];

        // WebApplicationFactory finds the service's content root through MvcTestingAppManifest.json in the
        // current directory, which under `dotnet run` is the repository, not the build output.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("bench_env");
        var amqp = await infra.CreateVirtualHostAsync("bench_env");
        await using var tree = await GridTree.StartAsync("environment");
        var port = FreePort.Next();
        await using var host = new BenchHost()
            .WithConnectionString("environmentdb", db)
            .WithConnectionString("messaging", amqp)
            .WithConnectionString("cache", infra.RedisConnectionString)
            .WithSetting("services:organization:grpc:0", tree.Address)
            .WithSetting("Logging:LogLevel:Default", "Warning");
        host.UseKestrel(port);
        host.StartServer();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };

        // Register: one source, one discharge point with three rules, 20 stations on it.
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
        for (var s = 0; s < stations; s++)
        {
            await Json(await http.PostAsJsonAsync("/api/environment/v1/stations", new { id = $"B-{s:D2}", dischargePointId = point.GetProperty("id").GetString(), pollutants }));
        }

        // The rows: every station, every pollutant, one reading a minute, ending an hour ago; a few exceedances.
        var rng = new Random(42);
        var minutes = (int)Math.Ceiling(rowsWanted / (double)(stations * pollutants.Length));
        var start = DateTimeOffset.UtcNow.AddHours(-1).AddMinutes(-minutes);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        var rows = new List<(string Station, string Pollutant, double Value, string Unit, DateTimeOffset Time)>(minutes * stations * pollutants.Length);
        for (var m = 0; m < minutes; m++)
        {
            for (var s = 0; s < stations; s++)
            {
                foreach (var p in pollutants)
                {
                    var spike = rng.NextDouble() < 0.002;
                    var value = p switch
                    {
                        "COD" => spike ? 150 : 40 + rng.NextDouble() * 30,
                        "NH3N" => spike ? 30 : 1 + rng.NextDouble() * 2,
                        "TP" => spike ? 0.9 : 0.1 + rng.NextDouble() * 0.2,
                        _ => 6.5 + rng.NextDouble(),
                    };
                    rows.Add(($"B-{s:D2}", p, Math.Round(value, 3), p == "PH" ? "pH" : "mg/L", start.AddMinutes(m)));
                }
            }
        }

        var batches = rows.Chunk(batchSize).Select(b => JsonSerializer.SerializeToUtf8Bytes(b.Select(r => new { station = r.Station, pollutant = r.Pollutant, value = r.Value, unit = r.Unit, time = r.Time }))).ToList();
        Console.WriteLine($"{rows.Count:N0} rows in {batches.Count} batches of {batchSize:N0}; {stations} stations × {pollutants.Length} pollutants × {minutes} minutes");

        // Warm-up: one batch of other rows (a day earlier) so JIT and connection pools are hot in both phases.
        var warm = rows.Take(batchSize).Select(r => new { station = r.Station, pollutant = r.Pollutant, value = r.Value, unit = r.Unit, time = r.Time.AddDays(-2) });
        (await http.PostAsJsonAsync("/api/environment/v1/readings:batch", warm)).EnsureSuccessStatusCode();

        // And the same for the baseline's own code: one batch copied into a scratch table, so that neither phase pays for JIT.
        await CopyBaselineAsync(db, "bench_copy_warm", rows.Take(batchSize), batchSize);

        // Phase 0: PostgreSQL's own COPY of the same rows, before the service has done anything.
        var before = await CopyBaselineAsync(db, "bench_copy_before", rows, batchSize);

        // Phase 1: HTTP.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create("bench-station", ["station"], ["environment"]));
        var sw = Stopwatch.StartNew();
        var sent = 0;
        foreach (var body in batches)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var r = await http.PostAsync("/api/environment/v1/readings:batch", content);
            if (!r.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            }

            sent += batchSize;
            if (sw.Elapsed.TotalSeconds > seconds)
            {
                break;
            }
        }

        var httpSeconds = sw.Elapsed.TotalSeconds;
        sent = Math.Min(sent, rows.Count);
        var httpRate = sent / httpSeconds;

        // Phase 2: COPY of the same rows, same batches, into a table of the same shape — again, after the service:
        // the baseline is the better of the two, so background work in either phase cannot flatter the ratio.
        var (copied, copySeconds) = await CopyBaselineAsync(db, "bench_copy_after", rows.Take(sent), batchSize);
        if (before.Seconds / before.Rows < copySeconds / copied)
        {
            (copied, copySeconds) = before;
        }

        var copyRate = copied / copySeconds;
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();

        await using (var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM environment.readings), (SELECT count(*) FROM environment.exceedance_episodes), (SELECT count(*) FROM casework.cases)", conn))
        await using (var reader = await count.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Console.WriteLine($"stored {reader.GetInt64(0):N0} readings (incl. {batchSize:N0} warm-up), {reader.GetInt64(1)} exceedance episodes, {reader.GetInt64(2)} cases");
        }

        Console.WriteLine($"HTTP ingestion with rules: {sent:N0} rows in {httpSeconds:F2} s = {httpRate:N0} rows/s");
        Console.WriteLine($"PostgreSQL binary COPY:    {copied:N0} rows in {copySeconds:F2} s = {copyRate:N0} rows/s (better of before and after: {before.Rows / before.Seconds:N0} before)");
        Console.WriteLine($"ratio HTTP / COPY = {httpRate / copyRate:F2} (target ≥ 0.5)");

        if (infra.Owned is { } owned)
        {
            await owned.StopAsync();
        }
    }

    /// <summary>Binary COPY of the rows, in the batches the service gets, into a new table shaped like readings.</summary>
    private static async Task<(int Rows, double Seconds)> CopyBaselineAsync(string db, string table,
        IEnumerable<(string Station, string Pollutant, double Value, string Unit, DateTimeOffset Time)> rows, int batchSize)
    {
        await using var conn = new NpgsqlConnection(db);
        await conn.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE TABLE {table} (LIKE environment.readings INCLUDING ALL)", conn))
        {
            await create.ExecuteNonQueryAsync();
        }

        var sw = Stopwatch.StartNew();
        var copied = 0;
        foreach (var chunk in rows.Chunk(batchSize))
        {
            await using var writer = await conn.BeginBinaryImportAsync($"COPY {table} (station_id, pollutant, time, value, unit, received_at) FROM STDIN (FORMAT BINARY)");
            var now = DateTime.UtcNow;
            foreach (var r in chunk)
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
            copied += chunk.Length;
        }

        return (copied, sw.Elapsed.TotalSeconds);
    }

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
