using Grid.Testing;

namespace Grid.Casework.Tests;

/// <summary>One organization gRPC server and the shared servers for the tests of this project.</summary>
public sealed class CaseworkFixture : IAsyncLifetime
{
    public GridInfrastructure Infra { get; private set; } = null!;

    public GridTree Grids { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Infra = await GridInfrastructure.GetAsync();
        Grids = await GridTree.StartAsync();
    }

    public async Task DisposeAsync() => await Grids.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class CaseworkCollection : ICollectionFixture<CaseworkFixture>
{
    public const string Name = "casework";
}
