using Grid.Contracts.Events;

namespace Grid.CommandCenter.Infrastructure;

/// <summary>
/// Keeps the names and paths of every hierarchy's grids, and the department names, copied from the organization
/// service with the service's own token: at start and every <see cref="Interval"/>, so boards, rankings and exports
/// show names even before anyone has opened the map. Does nothing without an organization service or a client id.
/// </summary>
public sealed class GridDirectorySync(GridMap map, OrganizationDirectory organization, ServiceTokenSource tokens, TimeProvider clock,
    ILogger<GridDirectorySync> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>How soon to try again when a copy failed (the organization may still be starting).</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!organization.Configured || !tokens.Configured)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var copied = 0;
            try
            {
                foreach (var hierarchy in Domains.All)
                {
                    copied += await map.SyncAsync(hierarchy, null, stoppingToken) ? 1 : 0;
                }

                await organization.DepartmentNamesAsync(null, refresh: true, stoppingToken);
                logger.LogInformation("Copied grids of {Copied} of {Hierarchies} hierarchies from the organization service", copied, Domains.All.Count);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Copying grids from the organization service failed");
            }

            await Task.Delay(copied == Domains.All.Count ? Interval : RetryInterval, clock, stoppingToken);
        }
    }
}
