using Grid.Casework;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Organization.V1;
using Grid.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.FireSafety.Tests;

/// <summary>The one grid directory (Casework's, over the organization's gRPC) as fire uses it: remembered, and asked for again after a grid change.</summary>
public class GridDirectoryTests
{
    [Fact]
    public async Task Remembered_grids_and_absences_are_asked_for_again_after_a_grid_change()
    {
        await using var tree = await GridTree.StartAsync("fire");
        using var channel = GrpcChannel.ForAddress(tree.Address);
        var grids = new GrpcGridDirectory(new Organization.OrganizationClient(channel), new CaseworkOptions(), TimeProvider.System);

        var village = await grids.FindAsync(GridTree.VillageA1);
        Assert.Equal([GridTree.County, GridTree.TownA, GridTree.VillageA1], village!.Path);
        Assert.Null(await grids.FindAsync("not-yet-created"));
        Assert.Equal(2, tree.GridCalls);

        // Within the time-to-live both answers, the absence too, come from memory.
        await grids.FindAsync(GridTree.VillageA1);
        Assert.Null(await grids.FindAsync("not-yet-created"));
        Assert.Equal(2, tree.GridCalls);

        // GridChanged reaches the service (Casework's GridChangedConsumer calls Forget): both are asked again.
        grids.Forget();
        await grids.FindAsync(GridTree.VillageA1);
        Assert.Null(await grids.FindAsync("not-yet-created"));
        Assert.Equal(4, tree.GridCalls);
    }

    [Fact]
    public async Task With_the_organization_service_configured_fire_asks_it_through_caseworks_directory()
    {
        await using var tree = await GridTree.StartAsync("fire");
        await using var fire = await FireHost.StartAsync(h => h.WithSetting("services:organization:grpc:0", tree.Address));
        var grids = fire.Services.GetRequiredService<IGridDirectory>();
        Assert.IsType<GrpcGridDirectory>(grids);
        var calls = tree.GridCalls;
        Assert.Equal(GridTree.VillageA1, (await grids.FindAsync(GridTree.VillageA1))!.Id);
        Assert.Equal(calls + 1, tree.GridCalls);
    }
}
