using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Infrastructure;

/// <summary>On start: fire's schema (Casework creates its own).</summary>
internal sealed class FireStartup(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await SchemaInitializer.EnsureSchemaAsync(scope.ServiceProvider.GetRequiredService<FireDbContext>(), ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Demo data when Grid:SeedDemoData is true and there are no places yet. In the background and retried,
/// because it needs the organization service, which may start later; a failure is logged, never fatal.
/// </summary>
internal sealed class DemoDataLoader(IServiceProvider services, IConfiguration config, ILogger<DemoDataLoader> logger) : BackgroundService
{
    private readonly TaskCompletionSource<bool> completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once demo data is in the database (loaded now or earlier), false when not seeding or given up.</summary>
    public Task<bool> Completed => completed.Task;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            completed.TrySetResult(await LoadAsync(ct));
        }
        finally
        {
            completed.TrySetResult(false);
        }
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!config.GetValue<bool>("Grid:SeedDemoData"))
        {
            return false;
        }

        for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<FireDbContext>();
                if (await db.Places.AnyAsync(ct))
                {
                    return true;
                }

                var n = await ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider).SeedAsync(ct);
                logger.LogInformation("Fire demo data loaded: {Count} records", n);
                return true;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && attempt < 60)
            {
                logger.LogWarning("Fire demo data not loaded yet (attempt {Attempt}): {Reason}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogError(e, "Fire demo data not loaded; the service runs without it");
                return false;
            }
        }

        return false;
    }
}
