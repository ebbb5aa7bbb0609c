// Case intake and outbox relay rates, each next to a baseline measured in the same run (about five minutes at 20 s a phase).
//   dotnet run -c Release --project bench/casework
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Grid.Casework.Infrastructure;
using Grid.Casework.Tests;
using Grid.Contracts.Events;
using Grid.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var infra = await GridInfrastructure.GetAsync();
await using var grids = await GridTree.StartAsync();

// Baseline: pgbench, one single-row insert per transaction, same server, same concurrency.
var baseDb = await infra.CreateDatabaseAsync("bench_pg");
await Wait.ScalarAsync<int>(baseDb, "CREATE TABLE t (id bigserial primary key, v text not null, at timestamptz not null default now()); SELECT 1");
var script = Path.GetTempFileName();
await File.WriteAllTextAsync(script, "INSERT INTO t (v) VALUES ('x');\n");
var dbName = Regex.Match(baseDb, "Database=([^;]+)").Groups[1].Value;
var psi = new ProcessStartInfo("pgbench", ["-h", "127.0.0.1", "-p", infra.PostgresPort.ToString(CultureInfo.InvariantCulture), "-U", "grid", "-n", "-c", "8", "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, dbName])
{ RedirectStandardOutput = true, RedirectStandardError = true };
using var pgbench = Process.Start(psi)!;
var pgOut = await pgbench.StandardOutput.ReadToEndAsync();
await pgbench.WaitForExitAsync();
var pgTps = double.Parse(Regex.Match(pgOut, @"tps = ([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
Console.WriteLine($"pgbench single-row insert (8 clients): {pgTps:F0} tx/s");

// Floor: the same HTTP pipeline (in-memory test server, same client and concurrency) in front of nothing but one
// single-row insert per request, into pgbench's table. What no case intake on this machine can beat; the gap to
// pgbench is the HTTP exchange and the .NET client's round trip, the gap to intake is the case itself.
double floor;
{
    var fb = WebApplication.CreateSlimBuilder();
    fb.WebHost.UseTestServer();
    fb.Logging.ClearProviders();
    await using var floorSource = NpgsqlDataSource.Create(baseDb);
    var floorApp = fb.Build();
    floorApp.MapPost("/insert", async (FloorRow row) =>
    {
        await using var cmd = floorSource.CreateCommand("INSERT INTO t (v) VALUES ($1)");
        cmd.Parameters.AddWithValue(row.V);
        await cmd.ExecuteNonQueryAsync();
        return Results.Created();
    });
    await floorApp.StartAsync();
    var floorClient = floorApp.GetTestClient();
    async Task Insert()
    {
        using var resp = await floorClient.PostAsJsonAsync("/insert", new FloorRow("堵塞通道"));
        resp.EnsureSuccessStatusCode();
    }

    await EightClientsAsync(TimeSpan.FromSeconds(10), Insert);
    var floorWatch = Stopwatch.StartNew();
    floor = await EightClientsAsync(TimeSpan.FromSeconds(seconds), Insert) / floorWatch.Elapsed.TotalSeconds;
    await floorApp.StopAsync();
}

Console.WriteLine($"HTTP + one insert per request (8 clients): {floor:F0} req/s = {floor / pgTps:F2}x pgbench");

// Case intake over the HTTP pipeline: case + number + outbox + audit in one transaction.
var db = await infra.CreateDatabaseAsync("bench_cw");
var mq = await infra.CreateVirtualHostAsync("bench_cw");
// Logging as a deployed service has it (appsettings.json): framework lines at Warning, the access line at Information.
await using var host = await CaseworkHost.StartAsync("fire", db, mq, grids.Address, configure: o => o.SchedulerEnabled = false, settings: new()
{
    ["Logging:LogLevel:Default"] = "Information",
    ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
    ["Logging:LogLevel:MassTransit"] = "Warning",
    ["Logging:LogLevel:Grpc"] = "Warning",
    ["Logging:LogLevel:System.Net.Http"] = "Warning",
});
var client = host.Client(CaseworkHost.Chief());
// Warm-up, not counted: the same load in 2 s rounds until a round makes the JIT compile fewer than 50 methods (at least
// 5 s, at most 60 s). The host runs in this process, and tiered compilation promotes a method only after it has run a
// while: a fixed 5 s left the JIT busy through the measured phase on a slow day (ReportAsync still quick-jitted).
var warmStarted = Stopwatch.StartNew();
int warmRounds = 0;
for (var settled = false; !settled && warmStarted.Elapsed < TimeSpan.FromSeconds(60); warmRounds++)
{
    var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
    await EightClientsAsync(TimeSpan.FromSeconds(2), () => host.ReportAsync(client, new { category = "hazard", severity = "general", title = "warm-up", gridId = GridTree.VillageA1 }));
    settled = warmStarted.Elapsed >= TimeSpan.FromSeconds(5) && System.Runtime.JitInfo.GetCompiledMethodCount() - jitted < 50;
}

Console.WriteLine($"warm-up: {warmStarted.Elapsed.TotalSeconds:F0} s ({warmRounds} rounds of 2 s) until a round compiled < 50 methods");

// Each intake phase runs twice: with the relay publishing at the same time (as deployed on one machine), and alone,
// as pgbench runs alone. For "alone" the bench holds the relay's advisory lock, as a replica relaying elsewhere
// would: the relay here finds it taken and leaves the outbox to grow; the relay phase below drains it.
await using var relayLock = new NpgsqlConnection(db);
await relayLock.OpenAsync();
async Task<double> PhaseAsync(string name, bool alone, int perRequest, Func<Task> request)
{
    if (alone)
    {
        await using var hold = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('casework.relay'))", relayLock);
        await hold.ExecuteNonQueryAsync();
    }

    var watch = Stopwatch.StartNew();
    var rate = await EightClientsAsync(TimeSpan.FromSeconds(seconds), request) * perRequest / watch.Elapsed.TotalSeconds;
    var pending = await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0");
    if (alone)
    {
        await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('casework.relay'))", relayLock);
        await release.ExecuteNonQueryAsync();
    }

    Console.WriteLine($"{name}, {(alone ? "alone (relay held)" : "relay publishing")}: {rate:F0} cases/s = {rate / pgTps:F2}x pgbench, {rate / floor:F2}x HTTP + one insert ({pending} events left in the outbox)");
    watch.Restart();
    await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0") == 0, TimeSpan.FromSeconds(300), "the intake outbox to drain");
    if (alone)
    {
        Console.WriteLine($"  the relay, let go, published those {pending} events in {watch.Elapsed.TotalSeconds:F1} s: {pending / watch.Elapsed.TotalSeconds:F0} events/s");
    }

    return rate;
}

Task OneReport() => host.ReportAsync(client, new { category = "hazard", severity = "general", title = "堵塞通道", gridId = GridTree.VillageA1 });
var intake = await PhaseAsync("case intake over HTTP (8 clients, one report a request)", false, 1, OneReport);
var intakeAlone = await PhaseAsync("case intake over HTTP (8 clients, one report a request)", true, 1, OneReport);

// Batch intake (批量上报): the same eight clients, each sending 50 reports a request, every report with its own
// Idempotency-Key as a device syncing what it kept offline does; the reports of a request share one transaction.
const int perBatch = 50;
var batchNo = 0;
async Task SendBatch()
{
    var n = Interlocked.Increment(ref batchNo);
    var reports = Enumerable.Range(0, perBatch).Select(i => new { idempotencyKey = $"bench-{n}-{i}", report = new { category = "hazard", severity = "general", title = "堵塞通道", gridId = GridTree.VillageA1 } }).ToArray();
    using var resp = await client.PostAsJsonAsync("/api/fire/v1/cases/batch", new { reports });
    resp.EnsureSuccessStatusCode();
    var created = (await resp.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("created").GetInt32();
    if (created != perBatch)
    {
        throw new InvalidOperationException($"a batch opened {created} of {perBatch} cases");
    }
}

await EightClientsAsync(TimeSpan.FromSeconds(10), SendBatch);
await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0") == 0, TimeSpan.FromSeconds(300), "the warm-up outbox to drain");
var batchIntake = await PhaseAsync($"batch intake over HTTP (8 clients, {perBatch} keyed reports a request)", false, perBatch, SendBatch);
var batchAlone = await PhaseAsync($"batch intake over HTTP (8 clients, {perBatch} keyed reports a request)", true, perBatch, SendBatch);
Console.WriteLine($"target >= 0.3x pgbench: one report a request {intake / pgTps:F2}x ({intakeAlone / pgTps:F2}x alone), {perBatch} a request {batchIntake / pgTps:F2}x ({batchAlone / pgTps:F2}x alone)");

// Outbox relay into RabbitMQ with publisher confirms and mandatory: three bursts of 20,000 committed events, each timed
// from its commit until the outbox is empty (a single burst varied by ±15 % from run to run on this machine).
const int events = 20000;
var cw = host.Services.GetRequiredService<CaseworkDatabase>();
var relayRates = new List<double>();
for (var burst = 0; burst < 3; burst++)
{
    var sw = new Stopwatch();
    await using (var tx = await cw.BeginAsync())
    {
        for (var i = 0; i < events; i++)
        {
            tx.Publish(new CaseReported { CaseId = Guid.NewGuid(), Domain = "fire", CaseNumber = $"FIRE-BENCH-{burst}-{i}", Title = "bench", Category = "hazard", Severity = "general", GridId = "g", GridPath = ["g"], OccurredAt = DateTimeOffset.UtcNow });
        }

        await tx.CommitAsync();
        sw.Start();
    }

    await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0") == 0, TimeSpan.FromSeconds(120), "the relay");
    relayRates.Add(events / sw.Elapsed.TotalSeconds);
}

relayRates.Sort();
Console.WriteLine($"outbox relay to RabbitMQ (confirms, mandatory), 3 bursts of {events}: {string.Join(", ", relayRates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))} events/s, median {relayRates[1]:F0} (target >= 5000)");

// The load of every phase: eight clients, each sending its next request when the last one is answered, until the time is up.
static async Task<int> EightClientsAsync(TimeSpan span, Func<Task> request)
{
    var n = 0;
    var end = DateTime.UtcNow + span;
    await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
    {
        while (DateTime.UtcNow < end)
        {
            await request();
            Interlocked.Increment(ref n);
        }
    }));
    return n;
}

/// <summary>The floor endpoint's body.</summary>
internal sealed record FloorRow(string V);
