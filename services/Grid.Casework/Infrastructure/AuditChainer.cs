using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 审计链 Links committed audit entries into the keyed chain shortly after commits (woken by one, it waits
/// 200 ms for more; and every second in case a wake-up belonged to another replica). A failed pass leaves the entries pending.
/// </summary>
public sealed class AuditChainer(CaseworkDatabase db, ILogger<AuditChainer> logger) : BackgroundService
{
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await db.AuditSignal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken))
                {
                    // Nobody waits for the chain (verification chains what is pending first): let a few commits
                    // gather, so one pass links many entries instead of one pass per commit.
                    await Task.Delay(GatherDelay, stoppingToken);
                }

                try
                {
                    await db.ChainAuditAsync(logger, stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Audit chaining failed, retried: {Error}", e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
