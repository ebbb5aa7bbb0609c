using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Roles;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>
/// Authorization per post, through the gateway with the organization's RS256 tokens: a step is allowed only when one
/// post of the caller holds a role for it in the case's domain over the case's grid; a machine only within its grant.
/// Few log-ins: the gateway allows the token route 30 a minute per client, and the run shares them.
/// </summary>
[Collection(SuiteCollection.Name)]
public class PerPostTests(AssembledSuite suite)
{
    [Fact]
    public async Task A_person_with_a_fire_post_and_an_environment_post_is_refused_what_neither_post_allows_alone()
    {
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        using var admin = await LogInAsync(new { grant_type = "password", username = "admin", password = suite.AdministratorPassword() });
        var at = await Cases.PositionInAsync(suite, finder);

        // A fire case dispatched for handling, and an environment case (a fire case transferred there) to be accepted.
        var fire = await Cases.ReportFireHazardAsync(finder, at, "配电箱周围堆放纸箱");
        var fireId = fire.GetProperty("id").GetString()!;
        var firePath = Cases.GridPath(fire);
        var fireOffice = Cases.Holder(everyone, "fire", GridRoles.TownshipFireOffice, firePath);
        await Cases.StepAsync(fireOffice, "fire", fireId, "accept");
        await Cases.StepAsync(fireOffice, "fire", fireId, "dispatch", new { assignee = "东关村消防管理员" });

        var moved = await Cases.ReportFireHazardAsync(finder, at, "空地焚烧垃圾");
        var movedId = moved.GetProperty("id").GetString()!;
        await Cases.StepAsync(fireOffice, "fire", movedId, "accept");
        await Cases.StepAsync(fireOffice, "fire", movedId, "transfer", new { targetDomain = "environment", reason = "属环保部门职责" });
        var withTarget = await Cases.WaitForAsync(fireOffice, "fire", movedId,
            c => c.GetProperty("transferCaseId").ValueKind == JsonValueKind.String, "environment to take the transfer");
        var envId = withTarget.GetProperty("transferCaseId").GetString()!;
        var (envChief, envCase) = await Cases.HolderOfAsync(everyone, "environment", GridRoles.GridChief, envId);
        var envPath = Cases.GridPath(envCase);

        // Grid chief in fire on the fire case's grid, grid worker in environment on the environment case's grid. Read
        // as flat lists (roles, domains, grids) this person would be an environment grid chief there and a fire grid
        // worker here; per post they are neither.
        var userName = $"two-posts-{Guid.NewGuid():N}"[..20];
        var password = $"pw-{Guid.NewGuid():N}";
        TestRunLog.SecretUsed("a test person's password", password);
        using (var created = await admin.PostAsJsonAsync("/api/org/v1/staff", new
        {
            name = "双岗测试员",
            phone = "13700000019",
            username = userName,
            password,
            assignments = new[]
            {
                new { gridId = firePath[^1], role = GridRoles.GridChief, domain = "fire" },
                new { gridId = envPath[^1], role = GridRoles.GridWorker, domain = "environment" },
            },
        }))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"staff: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }

        using var person = await LogInAsync(new { grant_type = "password", username = userName, password });

        // Environment's accept needs an environment grid chief: refused, though the person is a grid chief (in fire).
        await AssertForbiddenAsync(person, $"/api/environment/v1/cases/{envId}/accept", new { });
        // Fire's start is a grid worker's or the fire office's: refused, though the person is a grid worker (in environment).
        await AssertForbiddenAsync(person, $"/api/fire/v1/cases/{fireId}/start", new { });

        // Both steps were open to the right post: the case did not change under the refusals.
        Assert.Equal("accepted", (await Cases.StepAsync(envChief, "environment", envId, "accept")).GetProperty("state").GetString());
        Assert.Equal("handling", (await Cases.StepAsync(fireOffice, "fire", fireId, "start")).GetProperty("state").GetString());

        var commander = everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander));
        await Cases.SeenByCommandCentreAsync(commander, "environment", envCase, "accepted");
        await Cases.SeenByCommandCentreAsync(commander, "fire", fire, "dispatched"); // start publishes no event: the board shows the dispatch
        await Cases.SeenByCommandCentreAsync(commander, "fire", moved, "transferred");
    }

    [Fact]
    public async Task The_command_centres_service_client_reads_but_may_not_take_a_case_step()
    {
        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(AssembledSuite.ReadShared(Path.Combine(suite.StateDir, "secrets.json")))!;
        using var command = await LogInAsync(new { grant_type = "client_credentials", client_id = "command", client_secret = secrets["client-secret-command"] });
        using var board = await command.GetAsync("/api/command/v1/board");
        Assert.Equal(HttpStatusCode.OK, board.StatusCode);

        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var fire = await Cases.ReportFireHazardAsync(finder, await Cases.PositionInAsync(suite, finder), "疏散通道被占用");
        await AssertForbiddenAsync(command, $"/api/fire/v1/cases/{fire.GetProperty("id").GetString()}/accept", new { });
        await Cases.SeenByCommandCentreAsync(everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander)), "fire", fire, "reported");
    }

    private async Task<HttpClient> LogInAsync(object form)
    {
        var body = await DemoUser.TokenAsync(suite, form, "token");
        var http = new HttpClient { BaseAddress = suite.Gateway, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        return http;
    }

    private static async Task AssertForbiddenAsync(HttpClient http, string path, object body)
    {
        using var resp = await http.PostAsJsonAsync(path, body);
        Assert.True(resp.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync()}");
    }
}
