// Command centre projection latency: publish CaseReported events at a fixed rate for a bounded time and
// measure, per event, OccurredAt (stamped at publish) → the row's projected_at in the read model. The
// baseline, measured in the same run on the same messages, is the broker alone: a bare consumer on its own
// queue that only records the arrival time. Loopback only; bounded by --seconds (max 60) and --rate (max 2000).
using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Grid.Contracts.Events;
using Grid.Testing;
using MassTransit;
using Npgsql;

internal static class CommandCenterBench
{
    public static async Task Main(string[] args)
    {
        var rate = Math.Clamp(Arg(args, "--rate", 500), 1, 2000);
        var seconds = Math.Clamp(Arg(args, "--seconds", 30), 1, 60);
        var total = rate * seconds;

        // The service's content root for an in-process host outside a test project.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_GRID_COMMANDCENTER", AppContext.BaseDirectory);
        // WebApplicationFactory finds the service's content root through MvcTestingAppManifest.json in the
        // current directory, which under `dotnet run` is the repository, not the build output.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var infra = await GridInfrastructure.GetAsync();
        var database = await infra.CreateDatabaseAsync("benchcmd");
        var messaging = await infra.CreateVirtualHostAsync("benchcmd");
        await using var factory = new GridServiceFactory<global::Program>()
            .WithConnectionString("commanddb", database)
            .WithConnectionString("messaging", messaging)
            .WithSetting("Logging:LogLevel:Default", "Warning");
        _ = factory.Server;

        var baseline = new ConcurrentBag<double>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(messaging.Replace("amqp://", "rabbitmq://")));
            cfg.ReceiveEndpoint("bench-baseline", e =>
            {
                e.PrefetchCount = 64;
                e.Handler<CaseReported>(ctx =>
                {
                    baseline.Add((DateTimeOffset.UtcNow - ctx.Message.OccurredAt).TotalMilliseconds);
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        await Task.Delay(2000); // both queues bound before the first event

        Console.WriteLine($"publishing {total} CaseReported at {rate}/s for {seconds} s");
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var n = i;
            pending.Add(bus.Publish(new CaseReported
            {
                CaseId = Guid.NewGuid(),
                CaseNumber = $"BENCH-{n}",
                Domain = Domains.Fire,
                GridId = $"V{n % 50}",
                GridPath = ["C", $"T{n % 5}", $"V{n % 50}"],
                OccurredAt = DateTimeOffset.UtcNow,
                ReceivedAt = DateTimeOffset.UtcNow,
                Category = "隐患",
                Title = "bench",
                Source = "patrol",
            }));
            if (pending.Count >= 200)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
        var publishSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"published in {publishSeconds:F1} s ({total / publishSeconds:F0}/s)");

        await using var conn = new NpgsqlConnection(database);
        var deadline = Stopwatch.StartNew();
        long projected = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            projected = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM cc_cases");
            if (projected >= total && baseline.Count >= total)
            {
                break;
            }

            await Task.Delay(250);
        }

        var latencies = (await conn.QueryAsync<double>(
            "SELECT extract(epoch FROM projected_at - reported_at) * 1000 FROM cc_cases")).Order().ToArray();
        var broker = baseline.Order().ToArray();
        await bus.StopAsync();

        Console.WriteLine();
        Console.WriteLine($"| path | events | p50 ms | p99 ms | max ms |");
        Console.WriteLine($"|---|---|---|---|---|");
        Console.WriteLine($"| broker only (baseline: bare consumer) | {broker.Length}/{total} | {P(broker, 0.5):F1} | {P(broker, 0.99):F1} | {broker.LastOrDefault():F1} |");
        Console.WriteLine($"| publish → command read model | {latencies.Length}/{total} | {P(latencies, 0.5):F1} | {P(latencies, 0.99):F1} | {latencies.LastOrDefault():F1} |");
        Console.WriteLine();
        Console.WriteLine($"ratio read model / baseline: p50 {P(latencies, 0.5) / P(broker, 0.5):F1}x, p99 {P(latencies, 0.99) / P(broker, 0.99):F1}x; target p99 < 200 ms: {(P(latencies, 0.99) < 200 ? "met" : "NOT met")}");
        if (infra.Owned is { } owned)
        {
            await owned.StopAsync();
        }
    }

    static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
