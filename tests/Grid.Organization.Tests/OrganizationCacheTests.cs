using Grid.Contracts.Organization.V1;
using Grid.Organization.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Grid.Organization.Tests;

/// <summary>Two instances of the lookup cache on one Redis, as two replicas of the service would be.</summary>
public class OrganizationCacheTests
{
    private static OrganizationCache Create(GridInfrastructure infra, string prefix) => new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = infra.RedisConnectionString,
            ["Grid:CachePrefix"] = prefix,
        }).Build(),
        NullLogger<OrganizationCache>.Instance);

    [Fact]
    public async Task An_invalidation_in_one_replica_clears_the_in_process_copy_of_the_other()
    {
        var infra = await GridInfrastructure.GetAsync();
        var prefix = GridInfrastructure.UniqueName("orgcache");
        using var a = Create(infra, prefix);
        using var b = Create(infra, prefix);
        var name = "旧名";
        var loads = 0;
        Task<GridInfo?> Load()
        {
            loads++;
            return Task.FromResult<GridInfo?>(new GridInfo { Id = "g1", Name = name });
        }

        Assert.Equal("旧名", (await a.GetOrAddAsync("grid:id:g1", GridInfo.Parser, Load))!.Name);
        name = "新名";

        // Served from A's copy: the loader is not asked again.
        Assert.Equal("旧名", (await a.GetOrAddAsync("grid:id:g1", GridInfo.Parser, Load))!.Name);
        Assert.Equal(1, loads);

        // B changes the organization and invalidates; A hears it on the Redis channel and stops serving the old answer.
        await b.InvalidateAsync();
        var until = DateTime.UtcNow.AddSeconds(10);
        string? seen;
        while ((seen = (await a.GetOrAddAsync("grid:id:g1", GridInfo.Parser, Load))!.Name) == "旧名" && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.Equal("新名", seen);
        Assert.Equal(2, loads);
    }
}
