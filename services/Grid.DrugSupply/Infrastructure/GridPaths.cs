using Grid.Casework.Infrastructure;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>A grid's ancestor path (root first, itself last) from Casework's grid directory, which asks the organization service and caches.</summary>
public sealed class GridPaths(IGridDirectory directory)
{
    /// <summary>Null when the organization knows no such grid.</summary>
    public async Task<string[]?> PathOfAsync(string gridId, CancellationToken ct) =>
        await directory.FindAsync(gridId, ct) is { } node ? [.. node.Path] : null;
}
