using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.FireSafety.Infrastructure;

/// <summary>On start: fire's schema (Casework creates its own).</summary>
internal sealed class FireStartup(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await DomainSchema<FireDbContext>.EnsureAsync(scope.ServiceProvider.GetRequiredService<FireDbContext>(), "fire", "places", ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
