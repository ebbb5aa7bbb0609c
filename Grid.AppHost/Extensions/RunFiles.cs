using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grid.AppHost.Extensions;

/// <summary>
/// What <c>./grid</c> and a program driving a suite read under <c>&lt;state&gt;/run</c> and <c>&lt;state&gt;/logs</c>: the
/// AppHost's pid; <c>dashboard-api-key</c> (mode 0600), the key to the dashboard's telemetry API; <c>addresses.json</c>
/// and <c>ready</c> once every resource is healthy, or <c>failed</c> naming the one that did not start; each resource's
/// console log as a file. Ends the run when the parent process is gone.
/// </summary>
public sealed class RunFiles(GridRun run, DistributedApplicationModel model, ResourceNotificationService notifications,
    ResourceLoggerService logs, IHostApplicationLifetime lifetime, IConfiguration configuration)
{
    /// <summary>Starts with the run (before resources start: Aspire's hosted services only start once every resource has).</summary>
    public static void AddTo(IDistributedApplicationBuilder builder, GridRun run) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            var files = new RunFiles(run, e.Model, e.Services.GetRequiredService<ResourceNotificationService>(),
                e.Services.GetRequiredService<ResourceLoggerService>(), lifetime, e.Services.GetRequiredService<IConfiguration>());
            var stopping = lifetime.ApplicationStopping;
            _ = Task.Run(() => files.ExecuteAsync(stopping), CancellationToken.None);
            stopping.Register(files.Remove);
            return Task.CompletedTask;
        });

    /// <summary>What the suite is made of: servers, databases, services (not parameters, the dashboard or Aspire's rebuilders).</summary>
    public static IEnumerable<IResource> Parts(DistributedApplicationModel model) =>
        model.Resources.Where(r => r is ExecutableResource or ProjectResource or LocalPostgresDatabaseResource
            && r.GetType().Name != "ProjectRebuilderResource" && r.Name != "aspire-dashboard"); // Aspire's rebuilders are internal

    private IEnumerable<IResource> Watched => Parts(model);

    private async Task ExecuteAsync(CancellationToken stop)
    {
        Directory.CreateDirectory(run.RunDir);
        Directory.CreateDirectory(run.LogsDir);
        foreach (var f in new[] { "ready", "failed", "addresses.json" })
        {
            File.Delete(Path.Combine(run.RunDir, f));
        }

        await File.WriteAllTextAsync(Path.Combine(run.RunDir, "apphost.pid"), $"{Environment.ProcessId}", stop);
        WriteApiKey();
        foreach (var r in Watched)
        {
            _ = Task.Run(() => CopyLogAsync(r, stop), CancellationToken.None);
        }

        if (run.ParentPid is int parent)
        {
            _ = WatchParentAsync(parent, stop);
        }

        var failed = WatchFailuresAsync(stop);
        var healthy = Task.WhenAll(Watched.Select(r => notifications.WaitForResourceHealthyAsync(r.Name, stop)));
        if (await Task.WhenAny(healthy, failed) == failed)
        {
            await File.WriteAllTextAsync(Path.Combine(run.RunDir, "failed"), await failed, CancellationToken.None);
            return;
        }

        // Addresses first: whoever sees "ready" may read them at once.
        await File.WriteAllTextAsync(Path.Combine(run.RunDir, "addresses.json"), Addresses(), stop);
        var gateway = model.Resources.OfType<ProjectResource>().Single(r => r.Name == "gateway").GetEndpoint("http").Url;
        var ready = $"""
            Grid is up: gateway {gateway}
            dashboard {run.DashboardUrl}  (log in: {run.DashboardLoginUrl})
            telemetry API {run.DashboardUrl}/api/telemetry  (header x-api-key: the key in {run.DashboardApiKeyFile})

            """;
        await File.WriteAllTextAsync(Path.Combine(run.RunDir, "ready"), ready, stop);
        Console.Write(ready);
        await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, CancellationToken.None);
    }

    private void Remove()
    {
        foreach (var f in new[] { "ready", "addresses.json", "apphost.pid", Path.GetFileName(run.DashboardApiKeyFile) })
        {
            File.Delete(Path.Combine(run.RunDir, f));
        }
    }

    /// <summary>
    /// The telemetry API key Aspire generated for this run and passed to the dashboard (its documented AppHost setting
    /// <c>AppHost:DashboardApiKey</c>), readable by the user alone from its creation: a secret never printed.
    /// </summary>
    private void WriteApiKey()
    {
        File.Delete(run.DashboardApiKeyFile);
        if (configuration["AppHost:DashboardApiKey"] is not { Length: > 0 } key)
        {
            return; // a dashboard without authentication has no key
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new StreamWriter(run.DashboardApiKeyFile, options);
        file.Write(key);
    }

    /// <summary>The first resource that fails to start, with the tail of its log; a start failure is never silent.</summary>
    private async Task<string> WatchFailuresAsync(CancellationToken stop)
    {
        await foreach (var e in notifications.WatchAsync(stop))
        {
            if (e.Snapshot.State?.Text == KnownResourceStates.FailedToStart)
            {
                var log = Path.Combine(run.LogsDir, e.Resource.Name + ".log");
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : "(no log)";
                return $"resource '{e.Resource.Name}' failed to start\n--- last lines of its log ---\n{tail}\n";
            }
        }

        return "";
    }

    private async Task CopyLogAsync(IResource resource, CancellationToken stop)
    {
        await using var file = new StreamWriter(new FileStream(Path.Combine(run.LogsDir, resource.Name + ".log"),
            FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        { AutoFlush = true };
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(stop))
            {
                foreach (var line in batch)
                {
                    await file.WriteLineAsync(line.Content);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WatchParentAsync(int pid, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                if (p.HasExited)
                {
                    break;
                }
            }
            catch (ArgumentException)
            {
                break;
            }

            await Task.Delay(1000, stop).ContinueWith(_ => { }, CancellationToken.None);
        }

        if (!stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"parent process {pid} is gone; stopping");
            lifetime.StopApplication();
        }
    }

    /// <summary>Every resource's endpoints by name (services' "http", "grpc"; servers' "tcp", "management").</summary>
    private string Addresses()
    {
        var all = new SortedDictionary<string, SortedDictionary<string, string>>();
        foreach (var r in model.Resources.OfType<IResourceWithEndpoints>())
        {
            all[r.Name] = new(r.GetEndpoints().ToDictionary(e => e.EndpointName,
                e => $"{e.Scheme}://127.0.0.1:{e.Port}"));
        }

        return JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true });
    }
}
