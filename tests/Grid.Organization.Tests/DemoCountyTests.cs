using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grid.Contracts.Organization.V1;
using Grid.Contracts.Roles;
using Grid.Testing;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Grid.Organization.Tests;

public sealed class DemoCountyTests
{
    [Fact]
    public async Task The_demo_county_seeds_once_tiles_exactly_and_its_accounts_log_in()
    {
        var infra = await GridInfrastructure.GetAsync();
        var db = await infra.CreateDatabaseAsync("orgdemo");
        var password = "demo-" + Guid.NewGuid().ToString("N")[..10];
        GridServiceFactory<Program> Host() => new GridServiceFactory<Program>()
            .WithConnectionString("organizationdb", db)
            .WithSetting("Grid:SeedDemoData", "true")
            .WithSetting("Identity:DemoPassword", password);

        long grids;
        await using (var first = Host())
        {
            using var admin = first.CreateClient(TestTokens.Admin());
            foreach (var h in new[] { "comprehensive", "fire", "environment", "labor" })
            {
                var report = await admin.GetFromJsonAsync<JsonObject>($"/api/org/v1/grids/coverage?hierarchy={h}");
                Assert.True(report!["clean"]!.GetValue<bool>(), report.ToJsonString());
            }

            var fc = await admin.GetFromJsonAsync<JsonObject>("/api/org/v1/grids/geojson?hierarchy=comprehensive");
            grids = fc!["features"]!.AsArray().Count;
            Assert.InRange(grids, 150, 400);

            using var anonymous = first.CreateClient();
            var r = await anonymous.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = "worker01",
                ["password"] = password,
            }));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var token = (await r.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();

            // The cast of the README's walk-through: each log-in carries the post its steps need, in that post's domain.
            foreach (var (user, role, domain) in new[]
            {
                ("worker01", GridRoles.GridWorker, "comprehensive"),
                ("town01-fire", GridRoles.TownshipFireOffice, "fire"),
                ("village01-fire", GridRoles.VillageFireManager, "fire"),
                ("fire-county", GridRoles.FireBrigade, "fire"),
                ("env01", GridRoles.EnvironmentOfficer, "environment"),
                ("town01-env", GridRoles.GridChief, "environment"),
                ("env-county", GridRoles.EnvironmentBureau, "environment"),
                ("town01-drugs", GridRoles.GridChief, "drugs"),
                ("village01-drugs", GridRoles.Informant, "drugs"),
                ("drugs-county", GridRoles.GridChief, "drugs"),
                ("reward01", GridRoles.RewardCentre, "drugs"),
                ("commander01", GridRoles.Commander, "cadre"),
                ("reward01", GridRoles.RewardCentre, "fire"),
                ("labor01", GridRoles.LaborCoordinator, "labor"),
                ("labor-inspector01", GridRoles.LaborInspector, "labor"),
                ("town01-labor", GridRoles.LaborOffice, "labor"),
                ("labor-county", GridRoles.LaborBrigade, "labor"),
                ("discipline01", GridRoles.Discipline, "cadre"),
                ("supervisor01", GridRoles.Supervisor, "cadre"),
            })
            {
                using var login = await anonymous.PostAsync("/api/org/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "password",
                    ["username"] = user,
                    ["password"] = password,
                }));
                Assert.True(login.StatusCode == HttpStatusCode.OK, user);
                var jwt = new JsonWebToken((await login.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());
                var posts = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(jwt.Claims)).Posts();
                Assert.Contains(posts, p => p.Role == role && p.Domain == domain);
            }

            // The worker's own grid: a 小网格 of 城关镇, resolvable by a point inside it, with the worker responsible.
            using var channel = GrpcChannel.ForAddress(first.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = first.Server.CreateHandler() });
            var client = new Contracts.Organization.V1.Organization.OrganizationClient(channel);
            var headers = new global::Grpc.Core.Metadata { { "Authorization", "Bearer " + TestTokens.Admin() } };
            var grid = await client.ResolveGridByPointAsync(new ResolveGridByPointRequest { Hierarchy = "comprehensive", Longitude = 113.01, Latitude = 34.51 }, headers);
            Assert.Equal(4, grid.Depth);
            Assert.Equal("ZH-1-01-1-1", grid.Code);
            var chain = await client.GetAncestorsAsync(new GetAncestorsRequest { GridId = grid.Id, IncludeStaff = true }, headers);
            Assert.Equal(5, chain.Levels.Count);
            Assert.All(chain.Levels, l => Assert.NotEmpty(l.Responsible));

            var subjects = await admin.GetFromJsonAsync<JsonObject>("/api/org/v1/subjects?limit=1000&domain=fire");
            Assert.Equal(1000, subjects!["items"]!.AsArray().Count);
        }

        // A second start on the same database does not seed again.
        await using (var second = Host())
        {
            using var admin = second.CreateClient(TestTokens.Admin());
            var fc = await admin.GetFromJsonAsync<JsonObject>("/api/org/v1/grids/geojson?hierarchy=comprehensive");
            Assert.Equal(grids, fc!["features"]!.AsArray().Count);
        }
    }
}
