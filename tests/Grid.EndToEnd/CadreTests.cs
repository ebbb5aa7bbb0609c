using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Roles;

namespace Grid.EndToEnd;

/// <summary>Cadre supervision through the gateway with the demo county's supervisor and discipline log-ins.</summary>
[Collection(SuiteCollection.Name)]
public class CadreTests(AssembledSuite suite)
{
    [Fact]
    public async Task A_supervisors_report_reaches_the_command_centre_and_only_the_discipline_role_reads_who_reported()
    {
        var everyone = await suite.DemoUsersAsync();
        var supervisor = everyone.Single(u => u.UserName == "supervisor01");
        var discipline = everyone.Single(u => u.UserName == "discipline01");
        var commander = everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander));

        // A cadre living in the supervisor's grid (八小时之外), from the demo data.
        var cadres = await Cases.ReadAsync(await supervisor.Http.GetAsync("/api/cadre/v1/cadres?limit=5"), "cadres");
        var cadre = cadres.EnumerateArray().First();
        const string resident = "孙桂兰";
        const string summary = "周末多次由企业老板宴请";
        using var reported = await supervisor.Http.PostAsJsonAsync("/api/cadre/v1/reports", new
        {
            cadreId = cadre.GetProperty("id").GetString(),
            circle = "life",
            summary,
            resident = new { name = resident, phone = "13700001111" },
        });
        var body = await reported.Content.ReadAsStringAsync();
        Assert.True(reported.StatusCode == HttpStatusCode.Created, $"report: {(int)reported.StatusCode} {body}");
        var caseId = JsonDocument.Parse(body).RootElement.GetProperty("caseId").GetString()!;
        var theCase = await Cases.GetAsync(discipline, "cadre", caseId);

        // On the command centre's board as a case of domain cadre, with neither the resident nor what was said.
        await Cases.SeenByCommandCentreAsync(commander, "cadre", theCase, "reported");
        using (var open = await commander.Http.GetAsync($"/api/command/v1/cases?domain=cadre&board=open&grid={Cases.GridPath(theCase)[^1]}"))
        {
            var text = await open.Content.ReadAsStringAsync();
            Assert.Contains(caseId, text);
            Assert.DoesNotContain(resident, text);
            Assert.DoesNotContain(summary, text);
        }

        // Who reported: refused to the supervisor who took it, read by the discipline role.
        using (var refused = await supervisor.Http.GetAsync($"/api/cadre/v1/cases/{caseId}/reporter"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var reporter = await Cases.ReadAsync(await discipline.Http.GetAsync($"/api/cadre/v1/cases/{caseId}/reporter"), "reporter");
        Assert.Equal(resident, reporter.GetProperty("name").GetString());
    }
}
