using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Grid.Messaging;

/// <summary>
/// 总线重启: stops and starts the bus, which opens new connections and channels. The consumer watchdog calls it when a
/// queue is left without its consumer after a broker restart, because RabbitMQ.Client 7.2 can leave a channel waiting forever although the broker is back
/// (rabbitmq-dotnet-client#1930). One restart at a time; callers that arrive during one wait for it.
/// </summary>
/// <remarks>
/// A stop is never cut short. MassTransit marks its host and receive endpoints stopped only at the end of a stop,
/// so a stop cancelled halfway leaves them "started": the next start then starts nothing ("Start called, but the
/// host was already started") and every later one fails ("The receive endpoint was already started"), with the
/// queues left without consumers for good. That is what a 30 s limit on the stop did under load: each endpoint's
/// BasicCancel on a dead channel waits out the client's 20 s continuation timeout before the connection is closed.
/// A bus that cannot be brought back in this process (its stop outlives <see cref="MessagingSettings.BusStopTimeout"/>,
/// or MassTransit refuses the start as above) is reported by <see cref="BusHealthCheck"/> on the liveness
/// endpoint, so the orchestrator restarts the service; the outbox and the inbox make that restart lose nothing.
/// </remarks>
public sealed class BusRestarter(IBus bus, MessagingSettings settings, ILogger<BusRestarter> logger)
{
    private static readonly Meter Meter = new("Grid.Casework");
    private static readonly Counter<long> RestartCounter = Meter.CreateCounter<long>("grid.casework.bus.restarts");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _restarts;
    private volatile string? _broken;

    /// <summary>How many restarts completed since start.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Why the bus cannot be brought back in this process, or null while it can.</summary>
    public string? Broken => _broken;

    public async Task RestartAsync(string reason, CancellationToken ct)
    {
        if (bus is not IBusControl control)
        {
            return;
        }

        var seen = Restarts;
        await _gate.WaitAsync(ct);
        try
        {
            if (Restarts != seen || _broken is not null)
            {
                // Somebody else restarted the bus while this caller waited, or nothing more can be done here.
                return;
            }

            logger.LogWarning("Restarting the bus: {Reason}", reason);
            var stop = control.StopAsync(CancellationToken.None);
            if (await Task.WhenAny(stop, Task.Delay(settings.BusStopTimeout, ct)) != stop)
            {
                ct.ThrowIfCancellationRequested();
                _ = stop.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                MarkBroken($"the bus did not stop within {settings.BusStopTimeout.TotalSeconds:F0} s");
                return;
            }

            try
            {
                await stop;
            }
            catch (Exception e)
            {
                // A hung channel can fail the orderly stop; starting again still opens new connections.
                logger.LogWarning("Bus stop did not complete ({Error}); starting it again anyway", e.Message);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await control.StartAsync(timeout.Token);
            Interlocked.Increment(ref _restarts);
            RestartCounter.Add(1);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (e.Message.Contains("already started", StringComparison.OrdinalIgnoreCase))
            {
                MarkBroken($"the bus refused to start again ({e.Message})");
            }
            else
            {
                // A broker still down, for example: tried again on the next failure.
                logger.LogWarning("Bus restart did not complete ({Error}); it is tried again on the next failure", e.Message);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Declares the bus beyond repair in this process: the liveness check fails from now on.</summary>
    public void GiveUp(string why) => MarkBroken(why);

    private void MarkBroken(string why)
    {
        _broken = why;
        logger.LogError("The bus cannot be brought back in this process: {Reason}; the liveness check now fails so the service is restarted", why);
    }
}

/// <summary>Liveness of the bus: unhealthy once <see cref="BusRestarter"/> could not bring it back.</summary>
public sealed class BusHealthCheck(BusRestarter restarter) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(restarter.Broken is { } why
            ? HealthCheckResult.Unhealthy($"messaging: {why}")
            : HealthCheckResult.Healthy($"bus restarts: {restarter.Restarts}"));
}
