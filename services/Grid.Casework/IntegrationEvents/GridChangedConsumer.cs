using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using MassTransit;

namespace Grid.Casework.IntegrationEvents;

/// <summary>
/// 网格变更: the organization changed a grid (boundary, parent, responsible staff), so this instance's cached
/// escalation chains, and whatever else the service remembers of grids (<see cref="IGridCache"/>), may be wrong;
/// they are dropped and asked for again. No inbox: forgetting twice is harmless.
/// </summary>
public sealed class GridChangedConsumer(IGridDirectory grids, IEnumerable<IGridCache> caches) : IConsumer<GridChanged>
{
    public Task Consume(ConsumeContext<GridChanged> context)
    {
        grids.Forget();
        foreach (var cache in caches)
        {
            cache.Forget();
        }

        return Task.CompletedTask;
    }
}
