using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 审计链 Links committed audit entries into the hash chain shortly after each commit (woken by it, and
/// every second in case a wake-up belonged to another replica). A failed pass leaves the entries pending.
/// </summary>
public sealed class AuditChainer(CaseworkDatabase db, ILogger<AuditChainer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await db.AuditSignal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                try
                {
                    await db.ChainAuditAsync(stoppingToken);
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
