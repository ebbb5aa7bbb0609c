using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Messaging;

/// <summary>
/// 总线启动: starts the MassTransit bus once <see cref="TopologyDeclarer"/> has reached the broker, not at the host's
/// start. Started earlier, MassTransit retries its connection with a back-off of 1 to 30 s, so a service started beside
/// a booting broker stayed unready for seconds after the broker was up; the declarer polls the broker every second.
/// </summary>
public sealed class BusStarter(IBusDepot depot, TopologyDeclarer topology, ILogger<BusStarter> logger) : BackgroundService
{
    private Task? _started;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await topology.Ready.WaitAsync(stoppingToken);
        // Not awaited, as MassTransit's own hosted service does: the start may outlast the host's start.
        _started = depot.Start(stoppingToken);
        _ = _started.ContinueWith(t => logger.LogError(t.Exception, "The bus did not start"), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_started is not null)
        {
            await depot.Stop(cancellationToken);
        }
    }
}
