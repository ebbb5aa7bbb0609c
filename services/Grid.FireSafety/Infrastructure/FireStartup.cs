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

/// <summary>Demo data when Grid:SeedDemoData is true and there are no places yet.</summary>
internal sealed class DemoDataLoader(IServiceProvider services, IConfiguration config, ILogger<DemoDataLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (!config.GetValue<bool>("Grid:SeedDemoData"))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FireDbContext>();
        if (await db.Places.AnyAsync(ct))
        {
            return;
        }

        var n = await ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider).SeedAsync(ct);
        logger.LogInformation("Fire demo data loaded: {Count} records", n);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
