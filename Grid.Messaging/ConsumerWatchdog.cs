using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Grid.Messaging;

/// <summary>
/// 消费者看门狗: looks at this service's queues on the broker every <see cref="MessagingSettings.WatchdogInterval"/>
/// over a connection of its own. A queue with messages waiting while this process received none of them,
/// two intervals in a row, means the bus lost its consumer without noticing (a channel left hung by a broker
/// restart): the bus is restarted. Stalled again with nothing received since that restart, the watchdog gives up
/// (<see cref="BusRestarter.GiveUp"/>): the liveness check fails and the orchestrator restarts the service.
/// Whether the broker is reachable at all is MassTransit's business; the watchdog only looks when it is.
/// </summary>
public sealed class ConsumerWatchdog(MessagingSettings settings, DeliveryCounter deliveries, BusRestarter restarter, ILogger<ConsumerWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.WatchedQueues.Count == 0 || settings.WatchdogInterval <= TimeSpan.Zero)
        {
            return;
        }

        var detector = new StalledQueueDetector();
        long? deliveredAtRestart = null;
        var factory = new ConnectionFactory
        {
            Uri = new Uri(settings.AmqpUri),
            ClientProvidedName = "casework-watchdog",
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
        };
        IConnection? conn = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(settings.WatchdogInterval, stoppingToken);
                try
                {
                    // A look that hangs (a broker that died mid-call) is abandoned with its connection.
                    conn ??= await factory.CreateConnectionAsync(stoppingToken).WaitAsync(settings.BrokerCallTimeout, stoppingToken);
                    var stalled = await LookAsync(conn, detector, stoppingToken).WaitAsync(settings.BrokerCallTimeout, stoppingToken);

                    if (stalled.Count > 0)
                    {
                        detector.Reset();
                        var delivered = settings.WatchedQueues.Sum(deliveries.Delivered);
                        if (delivered == deliveredAtRestart)
                        {
                            // Stalled again and not one message since the last restart: restarting the bus did not
                            // bring the consumer back (MassTransit can leave a faulted receive endpoint out of a
                            // restart), so only a restart of the process will.
                            restarter.GiveUp($"a restart of the bus did not bring the consumer back: nothing received from {string.Join(", ", stalled)}");
                            return;
                        }

                        await restarter.RestartAsync($"nothing received from {string.Join(", ", stalled)}", stoppingToken);
                        deliveredAtRestart = settings.WatchedQueues.Sum(deliveries.Delivered);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Broker down or a queue not declared yet: look again next time on a new connection.
                    logger.LogDebug("Consumer watchdog could not look at the queues ({Error})", e.Message);

                    // A fresh history: an abandoned look may still finish later on the old one.
                    detector = new StalledQueueDetector();
                    if (conn is not null)
                    {
                        _ = conn.DisposeAsync().AsTask();
                        conn = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (conn is not null)
            {
                try
                {
                    await conn.DisposeAsync().AsTask().WaitAsync(settings.BrokerCallTimeout);
                }
                catch (Exception e)
                {
                    // Shutting down: a connection that will not close is left to the process's end.
                    logger.LogDebug("Consumer watchdog connection did not close ({Error})", e.Message);
                }
            }
        }
    }

    /// <summary>One look at every watched queue; the queues judged stalled.</summary>
    private async Task<List<string>> LookAsync(IConnection conn, StalledQueueDetector detector, CancellationToken ct)
    {
        var stalled = new List<string>();
        await using var ch = await conn.CreateChannelAsync(cancellationToken: ct);
        foreach (var queue in settings.WatchedQueues)
        {
            var ok = await ch.QueueDeclarePassiveAsync(queue, ct);
            if (detector.Observe(queue, ok.MessageCount, deliveries.Delivered(queue)))
            {
                stalled.Add($"{queue} ({ok.MessageCount} waiting, {ok.ConsumerCount} consumers)");
            }
        }

        return stalled;
    }
}
