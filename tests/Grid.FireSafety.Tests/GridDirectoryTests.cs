using Grid.Contracts.Organization.V1;
using Grid.FireSafety.Infrastructure;
using Grid.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.FireSafety.Tests;

/// <summary>Fire's grid tree from the organization service: remembered, and asked for again after a grid change.</summary>
public class GridDirectoryTests
{
    [Fact]
    public async Task Remembered_grids_and_absences_are_asked_for_again_after_a_grid_change()
    {
        await using var tree = await GridTree.StartAsync("fire");
        using var channel = GrpcChannel.ForAddress(tree.Address);
        var grids = new OrganizationGridDirectory(new Organization.OrganizationClient(channel), TimeProvider.System);

        var village = await grids.FindAsync(GridTree.VillageA1, default);
        Assert.Equal([GridTree.County, GridTree.TownA, GridTree.VillageA1], village!.Path);
        Assert.Null(await grids.FindAsync("not-yet-created", default));
        Assert.Equal(2, tree.GridCalls);

        // Within the time-to-live both answers, the absence too, come from memory.
        await grids.FindAsync(GridTree.VillageA1, default);
        Assert.Null(await grids.FindAsync("not-yet-created", default));
        Assert.Equal(2, tree.GridCalls);

        // GridChanged reaches the service (Casework's GridChangedConsumer calls every IGridCache): both are asked again.
        ((Grid.Casework.Infrastructure.IGridCache)grids).Forget();
        await grids.FindAsync(GridTree.VillageA1, default);
        Assert.Null(await grids.FindAsync("not-yet-created", default));
        Assert.Equal(4, tree.GridCalls);
    }

    [Fact]
    public async Task With_the_organization_service_configured_the_grid_tree_is_among_the_caches_a_grid_change_clears()
    {
        await using var tree = await GridTree.StartAsync("fire");
        await using var fire = await FireHost.StartAsync(h => h.WithSetting("services:organization:grpc:0", tree.Address));
        var gridTree = fire.Services.GetRequiredService<IGridTree>();
        Assert.IsType<OrganizationGridDirectory>(gridTree);
        Assert.Contains(fire.Services.GetServices<Grid.Casework.Infrastructure.IGridCache>(), c => ReferenceEquals(c, gridTree));
    }
}
