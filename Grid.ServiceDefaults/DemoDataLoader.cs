using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>A service's demo data (演示数据): loaded once into an empty database under <c>./grid up</c>.</summary>
public interface IDemoData
{
    /// <summary>True when the data (or real data) is already there: nothing is loaded twice.</summary>
    Task<bool> IsLoadedAsync(CancellationToken ct);

    /// <summary>Loads the data; returns how many records it wrote.</summary>
    Task<int> SeedAsync(CancellationToken ct);
}

/// <summary>
/// Loads a service's <see cref="IDemoData"/> when Grid:SeedDemoData is true. In the background and retried, because
/// demo data goes through the organization service, which may start later; a failure is logged, never fatal.
/// </summary>
public sealed class DemoDataLoader<TData>(IServiceProvider services, IConfiguration config, ILogger<DemoDataLoader<TData>> logger) : BackgroundService
    where TData : class, IDemoData
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

        var name = typeof(TData).Name;
        for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var data = ActivatorUtilities.CreateInstance<TData>(scope.ServiceProvider);
                if (await data.IsLoadedAsync(ct))
                {
                    return true;
                }

                var n = await data.SeedAsync(ct);
                logger.LogInformation("{Data} loaded: {Count} records", name, n);
                return true;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && attempt < 60)
            {
                logger.LogWarning("{Data} not loaded yet (attempt {Attempt}): {Reason}", name, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogError(e, "{Data} not loaded; the service runs without it", name);
                return false;
            }
        }

        return false;
    }
}

public static class DemoDataExtensions
{
    /// <summary>Registers the loader of <typeparamref name="TData"/> (resolvable, for tests to await <c>Completed</c>).</summary>
    public static IServiceCollection AddDemoData<TData>(this IServiceCollection services) where TData : class, IDemoData
    {
        services.AddSingleton<DemoDataLoader<TData>>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoDataLoader<TData>>());
        return services;
    }
}
