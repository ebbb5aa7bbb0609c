using Grid.Casework.Infrastructure;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>A grid's ancestor path (root first, the grid last) from the organization service, through the case life cycle's cached grid directory.</summary>
internal sealed class GridPaths(IGridDirectory directory)
{
    public async Task<string[]?> PathAsync(string? gridId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(gridId))
        {
            return null;
        }

        var chain = await directory.GetChainAsync(gridId.Trim(), ct);
        return chain?.Select(l => l.GridId).Reverse().ToArray();
    }
}
