using Grid.Casework.Infrastructure;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>A grid's ancestor path (root first, itself last) from Casework's grid directory, which asks the organization service and caches.</summary>
public sealed class GridPaths(IGridDirectory directory)
{
    /// <summary>Null when the organization knows no such grid.</summary>
    public async Task<string[]?> PathOfAsync(string gridId, CancellationToken ct) =>
        await directory.GetChainAsync(gridId, ct) is { Count: > 0 } chain ? chain.Select(l => l.GridId).Reverse().ToArray() : null;
}
