using Grid.Testing;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Tests;

/// <summary>
/// 岗位: a step is allowed only when one post — role, domain and grid together — allows it. A person who is a
/// fire grid chief in village A1 and an environment grid worker in village B1 is not an environment grid
/// chief anywhere.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class PerPostAuthorizationTests(CaseworkFixture fx) : IAsyncLifetime
{
    private CaseworkHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await CaseworkHost.StartAsync("environment", await fx.Infra.CreateDatabaseAsync("cw_posts"), await fx.Infra.CreateVirtualHostAsync("cw_posts"), fx.Grids.Address);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static object Report(string grid) => new { category = "pollution", severity = "general", title = "河道排污", gridId = grid };

    [Fact]
    public async Task Two_posts_in_two_domains_do_not_add_up_to_a_third()
    {
        var admin = _host.Client(TestTokens.Admin());
        var inB = await _host.ReportAsync(admin, Report(GridTree.VillageB1));
        var inA = await _host.ReportAsync(admin, Report(GridTree.VillageA1));
        var twoPosts = _host.Client(TestTokens.WithPosts("two-posts",
            [new GridPost("grid-chief", "fire", GridTree.VillageA1), new GridPost("grid-worker", "environment", GridTree.VillageB1)]));

        // Accepting needs an environment grid chief: B1 has only the worker's post, A1 only fire's chief post.
        Assert.Equal(403, (await _host.PostAsync(twoPosts, inB.Id, "accept")).Status);
        Assert.Equal(403, (await _host.PostAsync(twoPosts, inA.Id, "accept")).Status);

        // What the posts do allow still works: the worker's post reads in B1, and nowhere else in environment.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await twoPosts.GetAsync($"/api/environment/v1/cases/{inB.Id}")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await twoPosts.GetAsync($"/api/environment/v1/cases/{inA.Id}")).StatusCode);

        // The other way round (environment chief in A1, fire worker in B1): accepting in A1 is allowed, in B1 not.
        var swapped = _host.Client(TestTokens.WithPosts("swapped",
            [new GridPost("grid-chief", "environment", GridTree.VillageA1), new GridPost("grid-worker", "fire", GridTree.VillageB1)]));
        Assert.Equal(403, (await _host.PostAsync(swapped, inB.Id, "accept")).Status);
        Assert.Equal(200, (await _host.PostAsync(swapped, inA.Id, "accept")).Status);
    }
}
