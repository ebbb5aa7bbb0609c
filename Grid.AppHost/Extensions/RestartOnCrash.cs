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
    ResourceCommandService commands, ResourceLoggerService logs, IHostApplicationLifetime lifetime)
{
    public const int MaxRestarts = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    public static void AddTo(IDistributedApplicationBuilder builder) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            var hook = new RestartOnCrash(e.Model, e.Services.GetRequiredService<ResourceNotificationService>(),
                e.Services.GetRequiredService<ResourceCommandService>(), e.Services.GetRequiredService<ResourceLoggerService>(), lifetime);
            _ = Task.Run(() => hook.WatchAsync(lifetime.ApplicationStopping), CancellationToken.None);
            return Task.CompletedTask;
        });

    private async Task WatchAsync(CancellationToken stop)
    {
        var previous = new Dictionary<string, string?>();
        var restarts = new Dictionary<string, List<DateTime>>();
        var watched = RunFiles.Parts(model).Where(r => r is ExecutableResource or ProjectResource).ToHashSet();
        await foreach (var e in notifications.WatchAsync(stop))
        {
            if (!watched.Contains(e.Resource) || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                continue;
            }

            var state = e.Snapshot.State?.Text;

            previous.TryGetValue(e.ResourceId, out var before);
            previous[e.ResourceId] = state;
            // Running straight to an end is a crash; Stopping before it is someone's stop.
            if (state != before && before == KnownResourceStates.Running
                && (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart))
            {
                var times = restarts.TryGetValue(e.Resource.Name, out var t) ? t : restarts[e.Resource.Name] = [];
                times.RemoveAll(x => DateTime.UtcNow - x > Window);
                var logger = logs.GetLogger(e.Resource);
                if (times.Count >= MaxRestarts)
                {
                    logger.LogError("{Resource} exited again after {Count} restarts within {Window}; it stays down", e.Resource.Name, times.Count, Window);
                    continue;
                }

                times.Add(DateTime.UtcNow);
                var delay = TimeSpan.FromSeconds(Math.Pow(2, times.Count - 1));
                logger.LogWarning("{Resource} exited unexpectedly (exit code {Code}); restart {N} of {Max} in {Delay}",
                    e.Resource.Name, e.Snapshot.ExitCode, times.Count, MaxRestarts, delay);
                _ = RestartAsync(e.Resource, delay, stop);
            }
        }
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
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logs.GetLogger(resource).LogError(ex, "restarting {Resource} failed", resource.Name);
        }
    }
}
