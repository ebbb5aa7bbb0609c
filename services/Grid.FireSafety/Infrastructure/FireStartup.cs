using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Infrastructure;

/// <summary>On start: fire's schema, then demo data when Grid:SeedDemoData is true and there are no places yet.</summary>
internal sealed class FireStartup(IServiceProvider services, IConfiguration config, ILogger<FireStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FireDbContext>();
        await SchemaInitializer.EnsureSchemaAsync(db, ct);
        if (config.GetValue<bool>("Grid:SeedDemoData") && !await db.Places.AnyAsync(ct))
        {
            var seeder = ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider);
            var n = await seeder.SeedAsync(ct);
            logger.LogInformation("Fire demo data loaded: {Count} rows", n);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
