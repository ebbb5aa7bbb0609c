using Grid.Casework.Infrastructure;
using Grid.DrugSupply.Domain;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// 监督网 as the organization service keeps it: the townships and villages of the drugs hierarchy under the grids asked
/// for, each with the roles of the people posted on it now (协管员, 信息员), through Casework's grid directory.
/// </summary>
public sealed class SupervisionNetwork(IGridDirectory directory, DrugOptions options)
{
    /// <summary>
    /// The townships and villages under <paramref name="scopes"/> (the hierarchy's roots when null). A person posted on
    /// a grid whom the drug network has dismissed there (<paramref name="dismissed"/>: grid id → person ids) does not
    /// count: the organization's post may outlive the dismissal (动态管理).
    /// </summary>
    public async Task<(List<NetworkGrid> Townships, List<NetworkGrid> Villages)> LoadAsync(
        IReadOnlyCollection<string>? scopes, IReadOnlyDictionary<string, HashSet<string>> dismissed, CancellationToken ct)
    {
        var tops = scopes ?? [.. (await directory.RootsAsync(Grid.Contracts.Events.Domains.Drugs, ct)).Select(r => r.Id)];
        var nodes = new Dictionary<string, GridNode>(StringComparer.Ordinal);
        foreach (var top in tops)
        {
            foreach (var n in await directory.SubtreeAsync(top, ct))
            {
                nodes.TryAdd(n.Id, n);
            }
        }

        var townships = new List<NetworkGrid>();
        var villages = new List<NetworkGrid>();
        foreach (var n in nodes.Values.OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            var depth = n.Path.Count - 1;
            if (depth != options.Network.TownshipDepth && depth != options.Network.VillageDepth)
            {
                continue;
            }

            var chain = await directory.GetChainAsync(n.Id, ct);
            var gone = dismissed.GetValueOrDefault(n.Id);
            var roles = chain is { Count: > 0 }
                ? chain[0].Responsible.Where(r => gone is null || !gone.Contains(r.Id)).Select(r => r.Role).ToHashSet(StringComparer.Ordinal)
                : [];
            var grid = new NetworkGrid(n.Id, n.Name, n.Path[options.Network.TownshipDepth], roles);
            (depth == options.Network.TownshipDepth ? townships : villages).Add(grid);
        }

        return (townships, villages);
    }
}
