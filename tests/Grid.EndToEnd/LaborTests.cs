using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Roles;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>Labor inspection through the gateway with the demo county's labor log-ins and demo employers.</summary>
[Collection(SuiteCollection.Name)]
public class LaborTests(AssembledSuite suite)
{
    [Fact]
    public async Task A_coordinators_complaint_reaches_the_command_centre_sealed_and_the_township_settles_it()
    {
        var everyone = await suite.DemoUsersAsync();
        var coordinator = everyone.Single(u => u.UserName == "labor01");
        var inspector = everyone.Single(u => u.UserName == "labor-inspector01");
        var office = everyone.Single(u => u.UserName == "town01-labor");
        var commander = everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander));

        // The coordinator's own village grid has demo employers on file (一户一档).
        var employers = await Cases.ReadAsync(await coordinator.Http.GetAsync("/api/labor/v1/employers?limit=5"), "employers");
        var employer = employers.GetProperty("items").EnumerateArray().First();
        const string complainant = "孙桂兰";
        using var taken = await coordinator.Http.PostAsJsonAsync("/api/labor/v1/complaints", new
        {
            employerId = employer.GetProperty("id").GetString(),
            channel = "village",
            title = "拖欠两个月工资",
            violationEndedOn = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM-dd"),
            workers = 2,
            amountClaimed = 8600.50m,
            complainant = new { name = complainant, phone = "13700001111" },
        });
        var body = await taken.Content.ReadAsStringAsync();
        Assert.True(taken.StatusCode == HttpStatusCode.Created, $"complaint: {(int)taken.StatusCode} {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("complaint").GetProperty("caseId").GetString()!;
        var theCase = await Cases.GetAsync(coordinator, "labor", id);

        // On the command centre's open board, without who complained.
        await Cases.SeenByCommandCentreAsync(commander, "labor", theCase, "reported");
        using (var open = await commander.Http.GetAsync($"/api/command/v1/cases?domain=labor&board=open&grid={Cases.GridPath(theCase)[^1]}"))
        {
            var text = await open.Content.ReadAsStringAsync();
            Assert.Contains(id, text);
            Assert.DoesNotContain(complainant, text);
        }

        // 保密: the inspector on the case may not read the complainant; the township office may.
        using (var refused = await inspector.Http.GetAsync($"/api/labor/v1/cases/{id}/reporter"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var reporter = await Cases.ReadAsync(await office.Http.GetAsync($"/api/labor/v1/cases/{id}/reporter"), "reporter");
        Assert.Equal(complainant, reporter.GetProperty("name").GetString());

        // The township office accepts and settles it by mediation (调处); the command centre follows.
        Assert.Equal("accepted", (await Cases.StepAsync(office, "labor", id, "accept")).GetProperty("state").GetString());
        using var mediated = await office.Http.PostAsJsonAsync($"/api/labor/v1/complaints/{id}/mediation", new
        {
            parties = new[] { new { side = "worker", name = complainant }, new { side = "employer", name = employer.GetProperty("name").GetString()! } },
            amountClaimed = 8600.50m,
            amountAgreed = 8000m,
        });
        Assert.True(mediated.StatusCode == HttpStatusCode.Created, $"mediation: {(int)mediated.StatusCode} {await mediated.Content.ReadAsStringAsync()}");
        await Cases.SeenByCommandCentreAsync(commander, "labor", theCase, "handled");
    }
}
