using System.Threading.Channels;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>
/// Opens the cases of newly stored episodes as soon as a batch asks (<see cref="Request"/>), off the batch's path:
/// a station's batch is answered once its readings and episodes are committed, and does not wait for the case
/// service. Requests while a sweep runs fold into one more sweep. Whatever a failed sweep leaves is retried by
/// the next request and by <see cref="SilenceWatcher"/>'s periodic sweep.
/// </summary>
internal sealed class CaseFollowUpWorker(IServiceScopeFactory scopes, ILogger<CaseFollowUpWorker> logger) : BackgroundService
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Request() => _requests.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _requests.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<CaseFollowUp>().SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Opening cases for new episodes failed; the next sweep retries");
            }
        }
    }
}
