using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using Grid.Testing;
using Grpc.Core;
using StackExchange.Redis;

namespace Grid.Organization.Tests;

public sealed class GrpcLookupTests(OrgHost host) : IClassFixture<OrgHost>
{
    private Contracts.Organization.V1.Organization.OrganizationClient Client => host.Grpc();

    private async Task<string> ResolveAsync(double lon, double lat, string hierarchy = "comprehensive") =>
        (await Client.ResolveGridByPointAsync(new ResolveGridByPointRequest { Hierarchy = hierarchy, Longitude = lon, Latitude = lat })).Code;

    [Fact]
    public async Task A_point_inside_resolves_to_the_lowest_grid_containing_it()
    {
        Assert.Equal(host.Code("A1"), await ResolveAsync(113.05, 34.7));
        Assert.Equal(host.Code("A2"), await ResolveAsync(113.25, 34.7));
        // B has no children: the township itself is the lowest grid there.
        Assert.Equal(host.Code("B"), await ResolveAsync(113.45, 34.7));
    }

    [Fact]
    public async Task Points_either_side_of_a_shared_edge_resolve_to_their_own_side()
    {
        Assert.Equal(host.Code("A1"), await ResolveAsync(113.1499999, 34.7));
        Assert.Equal(host.Code("A2"), await ResolveAsync(113.1500001, 34.7));
    }

    [Fact]
    public async Task A_point_on_a_shared_edge_resolves_deterministically_to_the_smallest_code()
    {
        var answers = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await ResolveAsync(113.15, 34.6 + i * 0.01));
        }

        Assert.Equal([host.Code("A1")], answers);
        // The edge between townships A and B as well.
        Assert.Equal(host.Code("A2"), await ResolveAsync(113.3, 34.7));
    }

    [Fact]
    public async Task A_point_outside_every_grid_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(112.0, 34.0));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        // Just outside the county's west edge.
        e = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(112.9999999, 34.7));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        // No fire grids exist here at all.
        e = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(113.05, 34.7, "fire"));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Bad_requests_are_invalid_argument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(113.05, 34.7, "weather"));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(double.NaN, 34.7));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(async () => await Client.GetGridAsync(new GetGridRequest { Id = "not-a-guid" }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task The_escalation_chain_lists_each_level_with_its_responsible_staff()
    {
        await host.CreateStaffAsync("王网格员", "13800000001", ("A1", "grid-worker", "comprehensive"));
        await host.CreateStaffAsync("李网格长", "13800000002", ("A", "grid-chief", "comprehensive"));
        await host.CreateStaffAsync("赵消防", "13800000003", ("A", "fire-supervisor", "fire"));
        var chain = await Client.GetAncestorsAsync(new GetAncestorsRequest { GridId = host.Ids["A1"].ToString(), IncludeStaff = true });
        Assert.Equal([host.Code("A1"), host.Code("A"), host.Code("C")], chain.Levels.Select(l => l.Grid.Code));
        Assert.Contains(chain.Levels[0].Responsible, s => s.Name == "王网格员" && s.Role == "grid-worker" && s.Phone == "13800000001");
        Assert.Contains(chain.Levels[1].Responsible, s => s.Name == "李网格长");
        // Only the grid's own domain: the fire supervisor is not on the comprehensive chain.
        Assert.DoesNotContain(chain.Levels[1].Responsible, s => s.Name == "赵消防");
        Assert.Equal([host.Ids["C"].ToString(), host.Ids["A"].ToString(), host.Ids["A1"].ToString()], chain.Levels[0].Grid.Path);
    }

    [Fact]
    public async Task Find_responsible_honours_role_domain_and_validity()
    {
        var current = await host.CreateStaffAsync("钱信息员", "13800000011", ("A2", "informant", "drugs"));
        var former = await host.CreateStaffAsync("孙信息员", "13800000012", ("A2", "informant", "drugs"));
        var staff = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/staff/{former}");
        var assignment = staff!["assignments"]![0]!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.NoContent, (await host.Admin.DeleteAsync($"/api/org/v1/staff/{former}/assignments/{assignment}")).StatusCode);

        var found = await Client.FindResponsibleAsync(new FindResponsibleRequest { GridId = host.Ids["A2"].ToString(), Domain = "drugs", Role = "informant" });
        Assert.Equal([current.ToString()], found.Staff.Select(s => s.Id));
        var otherDomain = await Client.FindResponsibleAsync(new FindResponsibleRequest { GridId = host.Ids["A2"].ToString(), Domain = "labor" });
        Assert.Empty(otherDomain.Staff);
    }

    [Fact]
    public async Task Subjects_are_found_by_id_and_credit_code_in_the_grid_of_their_point()
    {
        var code = Domain.CreditCode.Complete("91410100MA4" + "0ABCD1");

        // Asked for before it is registered: not found — and that answer must not outlive the registration.
        var early = await Assert.ThrowsAsync<RpcException>(async () => await Client.GetSubjectAsync(new GetSubjectRequest { CreditCode = code }));
        Assert.Equal(StatusCode.NotFound, early.StatusCode);
        var r = await host.Admin.PostAsJsonAsync("/api/org/v1/subjects", new
        {
            creditCode = code,
            name = "郑州测试化工有限公司",
            kind = "enterprise",
            category = "涉气企业",
            domain = "environment",
            address = "西村工业路1号",
            longitude = 113.2,
            latitude = 34.6,
        });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var id = (await r.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var byCode = await Client.GetSubjectAsync(new GetSubjectRequest { CreditCode = code });
        Assert.Equal(id.ToString(), byCode.Id);
        Assert.Equal(host.Ids["A2"].ToString(), byCode.GridId);
        Assert.Equal(113.2, byCode.Longitude, 6);
        var byId = await Client.GetSubjectAsync(new GetSubjectRequest { Id = id.ToString() });
        Assert.Equal("郑州测试化工有限公司", byId.Name);

        var bad = await host.Admin.PostAsJsonAsync("/api/org/v1/subjects", new { creditCode = code[..17] + "X", name = "假", kind = "enterprise", category = "x", domain = "fire" });
        await Problems.AssertNamesFieldAsync(bad, HttpStatusCode.BadRequest, "creditCode");
        var dup = await host.Admin.PostAsJsonAsync("/api/org/v1/subjects", new { creditCode = code, name = "重复", kind = "enterprise", category = "x", domain = "fire" });
        await Problems.AssertNamesFieldAsync(dup, HttpStatusCode.Conflict, "creditCode");
    }

    [Fact]
    public async Task Children_are_listed_in_code_order()
    {
        var children = await Client.ListChildrenAsync(new ListChildrenRequest { GridId = host.Ids["A"].ToString() });
        Assert.Equal([host.Code("A1"), host.Code("A2")], children.Grids.Select(g => g.Code));
    }

    [Fact]
    public async Task A_grid_without_children_lists_none_again_from_the_cache()
    {
        // An empty list is cached as an empty message: read back, it is still an empty list, not "no answer".
        var leaf = host.Ids["A1"].ToString();
        for (var read = 0; read < 3; read++)
        {
            Assert.Empty((await Client.ListChildrenAsync(new ListChildrenRequest { GridId = leaf })).Grids);
        }
    }

    [Fact]
    public async Task Without_a_grid_the_roots_of_a_hierarchy_are_listed_as_far_as_the_caller_may_see()
    {
        await host.CreateGridAsync("FROOT", "消防测试县", "县", null, OrgHost.Rect(113.0, 34.5, 113.6, 34.9), hierarchy: "fire");
        var fire = await Client.ListChildrenAsync(new ListChildrenRequest { Hierarchy = "fire" });
        Assert.Equal([host.Code("FROOT")], fire.Grids.Select(g => g.Code));
        var comprehensive = await Client.ListChildrenAsync(new ListChildrenRequest { Hierarchy = "comprehensive" });
        Assert.Contains(host.Code("C"), comprehensive.Grids.Select(g => g.Code));
        Assert.DoesNotContain(host.Code("FROOT"), comprehensive.Grids.Select(g => g.Code));

        // A caller scoped below the root sees no root at all.
        var scoped = host.Grpc(TestTokens.Create("svc-b", ["grid-worker"], ["comprehensive"], [host.Ids["B"].ToString()]));
        Assert.Empty((await scoped.ListChildrenAsync(new ListChildrenRequest { Hierarchy = "comprehensive" })).Grids);
    }

    [Fact]
    public async Task A_cached_grid_is_served_from_redis_until_an_edit_invalidates_it()
    {
        var id = await host.CreateGridAsync("CACHE", "缓存村", "村", host.Ids["B"], OrgHost.Rect(113.3, 34.5, 113.35, 34.55));
        var first = await Client.GetGridAsync(new GetGridRequest { Id = id.ToString() });
        Assert.Equal("缓存村", first.Name);

        // Behind the service's back: the cached answer must still be the old one (proof it is cached) ...
        await host.ExecuteAsync("UPDATE grids SET name = '改名村' WHERE id = @id", ("id", id));
        Assert.Equal("缓存村", (await Client.GetGridAsync(new GetGridRequest { Id = id.ToString() })).Name);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(host.Infra.RedisConnectionString))
        {
            var keys = redis.GetServers()[0].Keys(pattern: $"{host.CachePrefix}:*:grid:id:{id}").ToList();
            Assert.NotEmpty(keys);
        }

        // ... and an edit through the API is visible on the next call.
        var r = await host.Admin.PutAsJsonAsync($"/api/org/v1/grids/{id}", OrgHost.GridBody(host.Code("CACHE"), "新缓存村", "村", host.Ids["B"], OrgHost.Rect(113.3, 34.5, 113.35, 34.55)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("新缓存村", (await Client.GetGridAsync(new GetGridRequest { Id = id.ToString() })).Name);
        Assert.Equal("新缓存村", (await Client.GetGridAsync(new GetGridRequest { Code = host.Code("CACHE") })).Name);
    }

    [Fact]
    public async Task A_caller_scoped_to_one_township_cannot_look_into_another()
    {
        var scoped = host.Grpc(TestTokens.Create("svc-b", ["grid-worker"], ["comprehensive"], [host.Ids["B"].ToString()]));
        Assert.Equal(host.Code("B"), (await scoped.GetGridAsync(new GetGridRequest { Id = host.Ids["B"].ToString() })).Code);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await scoped.GetGridAsync(new GetGridRequest { Id = host.Ids["A1"].ToString() }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(async () => await scoped.ResolveGridByPointAsync(new ResolveGridByPointRequest { Hierarchy = "comprehensive", Longitude = 113.05, Latitude = 34.7 }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var anonymous = host.Grpc("not-a-token");
        e = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.GetGridAsync(new GetGridRequest { Id = host.Ids["B"].ToString() }));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
    }
}
