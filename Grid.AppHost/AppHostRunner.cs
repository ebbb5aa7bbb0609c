using Grid.AppHost.Hosting;

namespace Grid.AppHost;

/// <summary>Starts the graph, shows the table, writes the run files that ./grid reads, stops on signal.</summary>
public static class AppHostRunner
{
    public static async Task<int> RunAsync(DistributedApplication app, AppHostOptions o, CancellationToken stop)
    {
        var run = Path.Combine(o.StateDir, "run");
        Directory.CreateDirectory(run);
        foreach (var f in new[] { "ready", "failed", "addresses.json" })
        {
            File.Delete(Path.Combine(run, f));
        }

        await File.WriteAllTextAsync(Path.Combine(run, "apphost.pid"), Environment.ProcessId.ToString(), CancellationToken.None);
        new ResourceTable(app, Console.Out).Attach();
        try
        {
            await app.StartAsync(stop);
            if (o.Mode == "infra" && o.EnvFile is not null)
            {
                await File.WriteAllTextAsync(o.EnvFile, InfrastructureEnvironment(app), CancellationToken.None);
            }

            // Addresses first: whoever sees "ready" may read them at once.
            await File.WriteAllTextAsync(Path.Combine(run, "addresses.json"), Addresses(app), CancellationToken.None);
            await File.WriteAllTextAsync(Path.Combine(run, "ready"), ResourceTable.Format(app.Resources), CancellationToken.None);
            Console.WriteLine(ResourceTable.Format(app.Resources));
            if (app.Resources.FirstOrDefault(r => r.Name == "gateway") is { Url: { } gateway })
            {
                Console.WriteLine($"Grid is up: gateway {gateway}  (Ctrl+C stops everything)");
            }

            await app.WatchAsync(stop);
            return 0;
        }
        catch (ResourceFailedException ex)
        {
            await File.WriteAllTextAsync(Path.Combine(run, "failed"), ex.Message, CancellationToken.None);
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await app.StopAsync();
            return 0;
        }
        finally
        {
            File.Delete(Path.Combine(run, "ready"));
            File.Delete(Path.Combine(run, "addresses.json"));
            File.Delete(Path.Combine(run, "apphost.pid"));
            Console.WriteLine("Grid stopped.");
        }
    }

    /// <summary>
    /// Every resource's addresses by name, as JSON (run/addresses.json): services' endpoints by endpoint name
    /// ("http", "grpc"), servers' connection addresses. What a program driving a suite on free ports reads.
    /// </summary>
    public static string Addresses(DistributedApplication app)
    {
        var all = new SortedDictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var r in app.Resources)
        {
            all[r.Name] = r switch
            {
                ExecutableResource e => e.Endpoints.ToDictionary(p => p.Key, p => $"http://127.0.0.1:{p.Value}"),
                LocalPostgres pg => new Dictionary<string, string> { ["tcp"] = $"127.0.0.1:{pg.Port}" },
                LocalRabbitMq mq => new Dictionary<string, string> { ["amqp"] = mq.ConnectionString, ["management"] = mq.ManagementUrl },
                LocalRedis redis => new Dictionary<string, string> { ["tcp"] = redis.ConnectionString },
                _ => new Dictionary<string, string>(),
            };
        }

        return System.Text.Json.JsonSerializer.Serialize(all, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The addresses a test run hands to every test project (see tests/Grid.Testing).</summary>
    public static string InfrastructureEnvironment(DistributedApplication app)
    {
        var pg = app.Resources.OfType<LocalPostgres>().Single();
        var mq = app.Resources.OfType<LocalRabbitMq>().Single();
        var redis = app.Resources.OfType<LocalRedis>().Single();
        return $"""
            GRID_TEST_POSTGRES_PORT={pg.Port}
            GRID_TEST_RABBITMQ_PORT={mq.Port}
            GRID_TEST_RABBITMQ_MANAGEMENT_PORT={mq.ManagementPort}
            GRID_TEST_REDIS_PORT={redis.Port}

            """;
    }
}
