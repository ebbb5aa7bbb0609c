using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.AppHost.Extensions;

/// <summary>
/// One crash is not an outage: a service or server whose process ends without being asked to is started again, after
/// 1, 2, 4, 8 then 16 s; after five restarts within ten minutes it stays down (its console log says so in the dashboard)
/// and the rest keep serving. Aspire 13.6 restarts nothing by itself; a stop from the dashboard is left alone.
/// </summary>
public sealed class RestartOnCrash(DistributedApplicationModel model, ResourceNotificationService notifications,
    ResourceCommandService commands, ResourceLoggerService logs, IHostApplicationLifetime lifetime, ILogger<RestartOnCrash> log)
{
    public const int MaxRestarts = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    public static void AddTo(IDistributedApplicationBuilder builder) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            var hook = new RestartOnCrash(e.Model, e.Services.GetRequiredService<ResourceNotificationService>(),
                e.Services.GetRequiredService<ResourceCommandService>(), e.Services.GetRequiredService<ResourceLoggerService>(), lifetime,
                e.Services.GetRequiredService<ILogger<RestartOnCrash>>());
            _ = Task.Run(() => hook.WatchAsync(lifetime.ApplicationStopping), CancellationToken.None);
            return Task.CompletedTask;
        });

    private async Task WatchAsync(CancellationToken stop)
    {
        var previous = new Dictionary<string, string?>();
        var restarts = new Dictionary<string, List<DateTime>>();
        var watched = RunFiles.Parts(model).Where(r => r is ExecutableResource or ProjectResource).ToHashSet();
        try
        {
            await foreach (var e in notifications.WatchAsync(stop))
            {
                if (!watched.Contains(e.Resource) || lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    continue;
                }

                var state = e.Snapshot.State?.Text;
                previous.TryGetValue(e.ResourceId, out var before);
                previous[e.ResourceId] = state;
                if (state != before && IsCrash(before, state))
                {
                    Crashed(e.Resource, before, state, e.Snapshot.ExitCode, restarts, stop);
                }
            }
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            // The AppHost's own log: a watcher that stopped would otherwise leave every later crash unanswered unseen.
            log.LogError(ex, "restart on crash stopped watching: no service will be restarted");
        }
    }

    /// <summary>Running straight to an end is a crash; Stopping before it is someone's stop from the dashboard.</summary>
    private static bool IsCrash(string? before, string? state) =>
        before == KnownResourceStates.Running
        && (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart);

    private void Crashed(IResource resource, string? before, string? state, int? exitCode, Dictionary<string, List<DateTime>> restarts, CancellationToken stop)
    {
        var times = restarts.TryGetValue(resource.Name, out var t) ? t : restarts[resource.Name] = [];
        times.RemoveAll(x => DateTime.UtcNow - x > Window);
        var logger = logs.GetLogger(resource);
        if (times.Count >= MaxRestarts)
        {
            logger.LogError("{Resource} exited again after {Count} restarts within {Window}; it stays down", resource.Name, times.Count, Window);
            log.LogError("{Resource} went from {Before} to {State} after {Count} restarts within {Window}; it stays down", resource.Name, before, state, times.Count, Window);
            return;
        }

        times.Add(DateTime.UtcNow);
        var delay = TimeSpan.FromSeconds(Math.Pow(2, times.Count - 1));
        logger.LogWarning("{Resource} exited unexpectedly (exit code {Code}); restart {N} of {Max} in {Delay}",
            resource.Name, exitCode, times.Count, MaxRestarts, delay);
        log.LogWarning("{Resource} went from {Before} to {State} (exit code {Code}); restart {N} of {Max} in {Delay}",
            resource.Name, before, state, exitCode, times.Count, MaxRestarts, delay);
        _ = RestartAsync(resource, delay, stop);
    }

    private async Task RestartAsync(IResource resource, TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
            var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, stop);
            if (!result.Success)
            {
                logs.GetLogger(resource).LogError("restarting {Resource} failed: {Error}", resource.Name, result.Message);
                log.LogError("restarting {Resource} failed: {Error}", resource.Name, result.Message);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logs.GetLogger(resource).LogError(ex, "restarting {Resource} failed", resource.Name);
            log.LogError(ex, "restarting {Resource} failed", resource.Name);
        }
    }
}
