using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using Grid.Contracts.Roles;
using Grid.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

namespace Grid.Organization.Tests;

/// <summary>岗位目录: the roles the domains check are exactly the posts an administrator can assign.</summary>
public sealed class RoleCatalogTests(OrgHost host) : IClassFixture<OrgHost>
{
    [Fact]
    public async Task A_catalog_role_is_assigned_and_an_unknown_one_is_refused_naming_the_field_and_the_valid_roles()
    {
        var person = await host.CreateStaffAsync("赵消防", "13800000001");

        using var accepted = await host.Admin.PostAsJsonAsync($"/api/org/v1/staff/{person}/assignments",
            new { gridId = host.Ids["A"], role = GridRoles.TownshipFireOffice, domain = "fire" });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);

        using var refused = await host.Admin.PostAsJsonAsync($"/api/org/v1/staff/{person}/assignments",
            new { gridId = host.Ids["A"], role = "fire-chief-of-everything", domain = "fire" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var why = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["role"]![0]!.GetValue<string>();
        Assert.Contains("fire-chief-of-everything", why);
        Assert.Contains(GridRoles.Commander, why);
        Assert.Contains(GridRoles.PoliceStation, why);

        // Only the accepted post was stored.
        var staff = await host.Admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/staff/{person}");
        var posts = staff!["assignments"]!.AsArray();
        Assert.Equal(GridRoles.TownshipFireOffice, Assert.Single(posts)!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_catalog_is_served_with_chinese_names_to_any_signed_in_user_and_not_to_anonymous_callers()
    {
        using var worker = host.Factory.CreateClient(TestTokens.Create("w", [GridRoles.GridWorker], ["comprehensive"], [host.Ids["A1"].ToString()]));
        var catalog = await worker.GetFromJsonAsync<JsonObject>("/api/org/v1/roles");
        var posts = catalog!["posts"]!.AsArray().ToDictionary(p => p!["role"]!.GetValue<string>(), p => p!["name"]!.GetValue<string>());
        Assert.Equal("乡镇消防安全工作办公室", posts[GridRoles.TownshipFireOffice]);
        Assert.Equal("指挥长", posts[GridRoles.Commander]);
        Assert.Equal(GridRoles.Posts.Count, posts.Count);
        Assert.DoesNotContain(GridRoles.Admin, posts.Keys);

        using var anonymous = host.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/org/v1/roles")).StatusCode);
    }

    [Fact]
    public async Task Server_reflection_needs_a_token_like_the_calls_it_describes()
    {
        using var anonymous = GrpcChannel.ForAddress(host.Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = host.Factory.Server.CreateHandler() });
        using var refused = new ServerReflection.ServerReflectionClient(anonymous).ServerReflectionInfo();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await refused.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await refused.ResponseStream.MoveNext();
        });
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);

        using var signedIn = host.Channel(TestTokens.Create("dev", [GridRoles.GridWorker], ["comprehensive"], [host.Ids["A1"].ToString()]));
        using var call = new ServerReflection.ServerReflectionClient(signedIn).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "grid.organization.v1.Organization");
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_department_is_found_by_id_or_code_over_grpc_and_an_unknown_one_is_not_found()
    {
        using var created = await host.Admin.PostAsJsonAsync("/api/org/v1/departments",
            new { code = "DEPT-T-ENV", name = "测试县生态环境分局", kind = "environment-bureau", domain = "environment", gridId = host.Ids["C"] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();

        var service = host.Grpc(TestTokens.Create("fire-service", ["service"], ["*"], ["*"]));
        Assert.Equal(id.ToString(), (await service.GetDepartmentAsync(new GetDepartmentRequest { Code = "DEPT-T-ENV" })).Id);
        Assert.Equal("DEPT-T-ENV", (await service.GetDepartmentAsync(new GetDepartmentRequest { Id = id.ToString() })).Code);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await service.GetDepartmentAsync(new GetDepartmentRequest { Code = "DEPT-NONE" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
