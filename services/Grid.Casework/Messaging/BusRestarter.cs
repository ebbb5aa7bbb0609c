using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Grid.Casework.Messaging;

/// <summary>
/// Stops and starts the bus, which opens new connections and channels. Both the outbox relay (publishing
/// keeps failing) and the consumer watchdog (a queue is left without its consumer) call it after a broker
/// restart, because RabbitMQ.Client 7.2 can leave a channel waiting forever although the broker is back
/// (rabbitmq-dotnet-client#1930). One restart at a time; callers that arrive during one wait for it.
/// </summary>
public sealed class BusRestarter(IBus bus, ILogger<BusRestarter> logger)
{
    private static readonly Meter Meter = new("Grid.Casework");
    private static readonly Counter<long> RestartCounter = Meter.CreateCounter<long>("grid.casework.bus.restarts");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _restarts;

    /// <summary>How many restarts completed since start.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

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
            if (Restarts != seen)
            {
                // Somebody else restarted the bus while this caller waited.
                return;
            }

            logger.LogWarning("Restarting the bus: {Reason}", reason);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await control.StopAsync(timeout.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // A hung channel can fail the orderly stop; starting again still opens new connections.
                logger.LogWarning("Bus stop did not complete ({Error}); starting it again anyway", e.Message);
            }

            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await control.StartAsync(timeout.Token);
            Interlocked.Increment(ref _restarts);
            RestartCounter.Add(1);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Bus restart did not complete ({Error}); it is tried again on the next failure", e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }
}
