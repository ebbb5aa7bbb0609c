// Case intake counted end to end — from the first request until every event it made is published — and the outbox
// relay against RabbitMQ.Client's own publish ceiling, each next to a baseline measured in the same run, on durable
// PostgreSQL (fsync and synchronous commit on), intake over real sockets (Kestrel on loopback). About five minutes.
//   ./grid bench casework [seconds per phase, default 20] [callers, default 16]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grid.Casework.Infrastructure;
using Grid.Casework.Tests;
using Grid.Contracts.Events;
using Grid.LocalServers;
using Grid.Messaging;
using Grid.Testing;
using Grid.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;

var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var callers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
var infra = await GridInfrastructure.GetDurableAsync();
await using var grids = await GridTree.StartAsync();
Console.WriteLine($"durable PostgreSQL (fsync on, synchronous_commit on); {Environment.ProcessorCount} cores shared by the service, PostgreSQL, RabbitMQ and the clients; {callers} callers; load {Load()}");

// Baseline: pgbench over TCP, one single-row insert per transaction, same server, as many clients as callers.
var baseDb = await infra.CreateDatabaseAsync("bench_pg");
await Wait.ScalarAsync<int>(baseDb, "CREATE TABLE t (id bigserial primary key, v text not null, at timestamptz not null default now()); SELECT 1");
var script = Path.GetTempFileName();
await File.WriteAllTextAsync(script, "INSERT INTO t (v) VALUES ('x');\n");
var dbName = Regex.Match(baseDb, "Database=([^;]+)").Groups[1].Value;
var psi = new ProcessStartInfo("/usr/lib/postgresql/15/bin/pgbench", ["-h", "127.0.0.1", "-p", infra.PostgresPort.ToString(CultureInfo.InvariantCulture), "-U", "grid", "-n", "-c", callers.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, dbName])
{ RedirectStandardOutput = true, RedirectStandardError = true };
var pgLoad = Load();
using var pgbench = Process.Start(psi)!;
var pgOut = await pgbench.StandardOutput.ReadToEndAsync();
await pgbench.WaitForExitAsync();
var pgTps = double.Parse(Regex.Match(pgOut, @"tps = ([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
Console.WriteLine($"pgbench single-row insert over TCP ({callers} clients): {pgTps:F0} tx/s; load {pgLoad} → {Load()}");

// Floor: Kestrel on loopback, the same client and callers, in front of nothing but one single-row insert per request
// into pgbench's table. What no case intake on this machine can beat; the gap to pgbench is the HTTP exchange.
double floor;
{
    var fb = WebApplication.CreateSlimBuilder();
    var floorPort = FreePort.Next();
    fb.WebHost.UseUrls($"http://127.0.0.1:{floorPort}");
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
    using var floorClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri($"http://127.0.0.1:{floorPort}") };
    async Task Insert(int caller)
    {
        using var resp = await floorClient.PostAsJsonAsync("/insert", new FloorRow("堵塞通道"));
        resp.EnsureSuccessStatusCode();
    }

    await CallersAsync(callers, TimeSpan.FromSeconds(5), Insert);
    var floorWatch = Stopwatch.StartNew();
    floor = await CallersAsync(callers, TimeSpan.FromSeconds(seconds), Insert) / floorWatch.Elapsed.TotalSeconds;
    await floorApp.StopAsync();
}

Console.WriteLine($"floor: Kestrel + one insert per request ({callers} callers): {floor:F0} req/s = {floor / pgTps:F2}x pgbench");

// Case intake: case + number + outbox + audit in one transaction, the relay publishing as deployed.
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
}, port: FreePort.Next());

// Many callers over many grids: each caller a grid chief of one grid, reporting in it.
string[] gridIds = [GridTree.VillageA1, GridTree.VillageA2, GridTree.CompoundA1X, GridTree.VillageB1, GridTree.TownA, GridTree.TownB];
var clients = Enumerable.Range(0, callers).Select(i => (Grid: gridIds[i % gridIds.Length], Http: host.Client(CaseworkHost.Chief(gridIds[i % gridIds.Length])))).ToArray();
Task OneReport(int caller) => host.ReportAsync(clients[caller].Http, new { category = "hazard", severity = "general", title = "堵塞通道", gridId = clients[caller].Grid });

// Batch intake (批量上报): each request 50 reports, every report with its own Idempotency-Key as a device syncing what it
// kept offline does; the reports of a request share one transaction.
const int perBatch = 50;
var batchNo = 0;
async Task SendBatch(int caller)
{
    var n = Interlocked.Increment(ref batchNo);
    var reports = Enumerable.Range(0, perBatch).Select(i => new { idempotencyKey = $"bench-{n}-{i}", report = new { category = "hazard", severity = "general", title = "堵塞通道", gridId = clients[caller].Grid } }).ToArray();
    using var resp = await clients[caller].Http.PostAsJsonAsync("/api/fire/v1/cases/batch", new { reports });
    resp.EnsureSuccessStatusCode();
    var created = (await resp.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetInt32();
    if (created != perBatch)
    {
        throw new InvalidOperationException($"a batch opened {created} of {perBatch} cases");
    }
}

Task<long> Pending() => Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0");

// Warm-up, not counted: the same loads in 2 s rounds until a round makes the JIT compile fewer than 50 methods (at
// least 5 s, at most 60 s): the host runs in this process, and tiered compilation promotes a method only after a while.
var warmStarted = Stopwatch.StartNew();
for (var settled = false; !settled && warmStarted.Elapsed < TimeSpan.FromSeconds(60);)
{
    var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
    await CallersAsync(callers, TimeSpan.FromSeconds(1), OneReport);
    await CallersAsync(callers, TimeSpan.FromSeconds(1), SendBatch);
    settled = warmStarted.Elapsed >= TimeSpan.FromSeconds(5) && System.Runtime.JitInfo.GetCompiledMethodCount() - jitted < 50;
}

await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(300), "the warm-up outbox to drain");
Console.WriteLine($"warm-up: {warmStarted.Elapsed.TotalSeconds:F0} s until a round compiled < 50 methods");

// A phase: the callers for the given time, then until the outbox is empty again; cases over the whole span.
async Task<double> PhaseAsync(string name, int perRequest, Func<int, Task> request)
{
    var loadBefore = Load();
    var watch = Stopwatch.StartNew();
    var cases = await CallersAsync(callers, TimeSpan.FromSeconds(seconds), request) * perRequest;
    var answered = watch.Elapsed.TotalSeconds;
    var pending = await Pending();
    await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(600), "the intake outbox to drain");
    var drained = watch.Elapsed.TotalSeconds;
    var rate = cases / drained;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {cases} cases answered in {answered:F1} s ({cases / answered:F0}/s), every event published at {drained:F1} s ({pending} left when the load stopped): " +
        $"{rate:F0} cases/s end to end = {rate / pgTps:F2}x pgbench, {rate / floor:F2}x the floor; load {loadBefore} → {Load()}"));
    return rate;
}

var intake = await PhaseAsync($"one report a request ({callers} callers, {gridIds.Length} grids)", 1, OneReport);
var batchIntake = await PhaseAsync($"{perBatch} keyed reports a request ({callers} callers, {gridIds.Length} grids)", perBatch, SendBatch);

// The broker's own ceiling against the relay, taken in turns so that both meet the broker in the same state: each round
// RabbitMQ.Client publishes 20,000 persistent messages of the relay's size, with confirms and mandatory and 1,000 in
// flight, on one channel and then on four, into the exchange the relay publishes to (so through the same bindings into
// the same queue) — the most any relay here could reach — and then the relay publishes a burst of 20,000 committed
// events, timed from its commit until the last of them was confirmed and marked sent. The subscriber queue is emptied before each burst (nothing
// consumes it here). A single burst varies by ±20 % on this machine; seven rounds, and the medians are compared.
const int events = 20000;
const int rounds = 7;
var sample = JsonSerializer.SerializeToUtf8Bytes(new
{
    messageId = Guid.NewGuid(),
    conversationId = Guid.NewGuid(),
    sourceAddress = "rabbitmq://127.0.0.1/bench_cw/relay",
    destinationAddress = "rabbitmq://127.0.0.1/bench_cw/Grid.Contracts.Events:CaseReported",
    messageType = new[] { "urn:message:Grid.Contracts.Events:CaseReported" },
    sentTime = DateTime.UtcNow,
    headers = new { },
    message = new CaseReported { CaseId = Guid.NewGuid(), Domain = "fire", CaseNumber = "FIRE-BENCH-0-0", Title = "bench", Category = "hazard", Severity = "general", GridId = "g", GridPath = ["g"], OccurredAt = DateTimeOffset.UtcNow },
    host = new { machineName = Environment.MachineName, processName = "Grid.Bench.Casework", processId = Environment.ProcessId, assembly = "Grid.Casework", assemblyVersion = "1.0.0.0", frameworkVersion = "10.0", massTransitVersion = "8.5.12", operatingSystemVersion = Environment.OSVersion.ToString() },
});
var exchange = EventTypes.ExchangeName(typeof(CaseReported));
var cw = host.Services.GetRequiredService<CaseworkDatabase>();
var ceilingRates = new Dictionary<int, List<double>> { [1] = [], [4] = [] };
var relayRates = new List<double>();
var relayLoad = Load();
await using (var connection = await new ConnectionFactory { Uri = new Uri(mq) }.CreateConnectionAsync())
{
    await using var admin = await connection.CreateChannelAsync();
    for (var round = 0; round < rounds; round++)
    {
        foreach (var channelCount in new[] { 1, 4 })
        {
            await admin.QueuePurgeAsync(CaseworkTopology.CommandCentreQueue);
            var channels = new List<IChannel>();
            for (var c = 0; c < channelCount; c++)
            {
                channels.Add(await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)));
            }

            var next = -1;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 1000).Select(async t =>
            {
                var channel = channels[t % channelCount];
                while (Interlocked.Increment(ref next) < events)
                {
                    var props = new BasicProperties { Persistent = true, ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString() };
                    await channel.BasicPublishAsync(exchange, "", mandatory: true, basicProperties: props, body: sample);
                }
            }));
            ceilingRates[channelCount].Add(events / sw.Elapsed.TotalSeconds);
            foreach (var channel in channels)
            {
                await channel.DisposeAsync();
            }
        }

        await admin.QueuePurgeAsync(CaseworkTopology.CommandCentreQueue);
        var before = await Wait.ScalarAsync<long>(db, "SELECT coalesce(max(seq), 0) FROM casework.outbox");
        DateTime committed;
        await using (var tx = await cw.BeginAsync())
        {
            for (var i = 0; i < events; i++)
            {
                tx.Publish(new CaseReported { CaseId = Guid.NewGuid(), Domain = "fire", CaseNumber = $"FIRE-BENCH-{round}-{i}", Title = "bench", Category = "hazard", Severity = "general", GridId = "g", GridPath = ["g"], OccurredAt = DateTimeOffset.UtcNow });
            }

            await tx.CommitAsync();
            committed = DateTime.UtcNow;
        }

        // Until the last batch was confirmed: the time its mark began (sent_at, the same clock), not when a poll saw it.
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(120), "the relay");
        var lastSent = await Wait.ScalarAsync<DateTime>(db, "SELECT max(sent_at) FROM casework.outbox WHERE seq > $1", before);
        relayRates.Add(events / (lastSent - committed).TotalSeconds);
    }

    await admin.QueuePurgeAsync(CaseworkTopology.CommandCentreQueue);
}

foreach (var (channelCount, rates) in ceilingRates)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RabbitMQ.Client ceiling, {channelCount} channel(s), 1,000 in flight, {sample.Length} B persistent, confirms + mandatory, into the relay's exchange: {Rates(rates)} messages/s, median {Median(rates):F0}"));
}

var ceiling = ceilingRates.Values.Max(Median);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"outbox relay to RabbitMQ (MassTransit's envelope over RabbitMQ.Client, 4 channels, confirms, mandatory), {rounds} bursts of {events} in turn with the ceiling's: {Rates(relayRates)} events/s, median {Median(relayRates):F0} = {Median(relayRates) / ceiling:F2}x the broker's ceiling ({ceiling:F0}/s; target >= 0.9); load {relayLoad} → {Load()}"));
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"headline ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, durable PostgreSQL, counted until every event is published, load {Load()}): " +
    $"{perBatch} reports a request {batchIntake / pgTps:F2}x pgbench ({batchIntake:F0} cases/s; target >= 0.15), one a request {intake / pgTps:F2}x ({intake:F0}/s); relay {Median(relayRates) / ceiling:F2}x the broker's ceiling ({Median(relayRates):F0} of {ceiling:F0}/s)"));

// The load of a phase: each caller sends its next request when the last one is answered, until the time is up.
static async Task<int> CallersAsync(int count, TimeSpan span, Func<int, Task> request)
{
    var n = 0;
    var end = DateTime.UtcNow + span;
    await Task.WhenAll(Enumerable.Range(0, count).Select(async caller =>
    {
        while (DateTime.UtcNow < end)
        {
            await request(caller);
            Interlocked.Increment(ref n);
        }
    }));
    return n;
}

static string Rates(List<double> rates) => string.Join(", ", rates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)));

static double Median(List<double> rates) => rates.Order().ElementAt(rates.Count / 2);

/// <summary>The floor endpoint's body.</summary>
internal sealed record FloorRow(string V);
