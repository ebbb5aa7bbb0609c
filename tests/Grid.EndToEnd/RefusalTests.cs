using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Roles;

namespace Grid.EndToEnd;

/// <summary>Requests the assembled suite must refuse with a clear problem, through the gateway, with demo log-ins only.</summary>
[Collection(SuiteCollection.Name)]
public class RefusalTests(AssembledSuite suite)
{
    [Fact]
    public async Task A_transfer_to_a_domain_without_a_case_desk_is_refused_and_the_case_stays_where_it_was()
    {
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var reported = await Cases.ReportFireHazardAsync(finder, await Cases.PositionInAsync(suite, finder), "配电箱周围堆放杂物");
        var id = reported.GetProperty("id").GetString()!;
        var chief = Cases.Holder(everyone, "fire", GridRoles.TownshipFireOffice, Cases.GridPath(reported));
        await Cases.StepAsync(chief, "fire", id, "accept");

        using var resp = await chief.Http.PostAsJsonAsync($"/api/fire/v1/cases/{id}/transfer", new { targetDomain = "comprehensive", reason = "综合网格" });
        var problem = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty("targetDomain", out _), problem);
        Assert.Equal("accepted", (await Cases.GetAsync(chief, "fire", id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_summons_of_an_unknown_department_is_refused_with_400()
    {
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var reported = await Cases.ReportFireHazardAsync(finder, await Cases.PositionInAsync(suite, finder), "消防通道被占用");
        var id = reported.GetProperty("id").GetString()!;
        var chief = Cases.Holder(everyone, "fire", GridRoles.TownshipFireOffice, Cases.GridPath(reported));
        await Cases.StepAsync(chief, "fire", id, "accept");

        // A known department is summoned (proving the step works for this user), an unknown one is not. The
        // departments are the organization's, as its administrator lists them.
        using var admin = await DemoUser.LogInAsync(suite, "county-admin");
        var departments = await Cases.ReadAsync(await admin.Http.GetAsync("/api/org/v1/departments"), "departments");
        var known = departments.EnumerateArray().First().GetProperty("id").GetString();
        using (var ok = await chief.Http.PostAsJsonAsync($"/api/fire/v1/cases/{id}/summon", new { departmentId = known, reason = "联合处置" }))
        {
            Assert.True(ok.IsSuccessStatusCode, $"summons of {known}: {(int)ok.StatusCode} {await ok.Content.ReadAsStringAsync()}");
        }

        using var resp = await chief.Http.PostAsJsonAsync($"/api/fire/v1/cases/{id}/summon", new { departmentId = "no-such-department", reason = "联合处置" });
        var problem = await resp.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, resp.StatusCode);
        Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty("departmentId", out _), problem);
    }

    [Fact]
    public async Task An_idempotency_key_sent_again_with_another_report_is_answered_422_and_opens_nothing()
    {
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var at = await Cases.PositionInAsync(suite, finder);
        var key = "e2e-" + Guid.NewGuid().ToString("N");
        var first = await Cases.ReportFireHazardAsync(finder, at, "厨房燃气管老化", key);

        // The same report again is the same case (200); another body under the same key is a client error.
        using (var again = Cases.FireReport(at, "厨房燃气管老化", key))
        {
            using var repeated = await finder.Http.SendAsync(again);
            var body = await repeated.Content.ReadAsStringAsync();
            Assert.True(repeated.StatusCode == HttpStatusCode.OK, $"{(int)repeated.StatusCode} {body}");
            Assert.Equal(first.GetProperty("id").GetString(), JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());
        }

        using var other = Cases.FireReport(at, "另一个隐患", key, category: "gas", severity: "serious");
        using var resp = await finder.Http.SendAsync(other);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, resp.StatusCode);
        var mine = await Cases.ReadAsync(await finder.Http.GetAsync("/api/fire/v1/cases?limit=100"), "own reports");
        Assert.DoesNotContain(mine.GetProperty("items").EnumerateArray(), c => c.GetProperty("title").GetString() == "另一个隐患");
    }
}
