using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts.Roles;
using Grid.Testing;

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

    [Fact]
    public async Task A_fire_case_reopened_too_often_becomes_an_accountability_record_whose_proposal_the_discipline_role_confirms()
    {
        var everyone = await suite.DemoUsersAsync();
        var finder = everyone.Single(u => u.UserName == "worker01");
        var discipline = everyone.Single(u => u.UserName == "discipline01");
        var supervisor = everyone.Single(u => u.UserName == "supervisor01");

        // A real fire case whose rectification fails verification three times (返工), one more than the default allows.
        var reported = await Cases.ReportFireHazardAsync(finder, await Cases.PositionInAsync(suite, finder), "楼道私拉电线反复整改不到位");
        var id = reported.GetProperty("id").GetString()!;
        var path = Cases.GridPath(reported);
        var office = Cases.Holder(everyone, "fire", GridRoles.TownshipFireOffice, path);
        var manager = Cases.Holder(everyone, "fire", GridRoles.VillageFireManager, path);
        await Cases.StepAsync(office, "fire", id, "accept");
        await Cases.StepAsync(office, "fire", id, "dispatch", new { assignee = manager.Name });
        for (var round = 1; round <= 3; round++)
        {
            await Cases.StepAsync(manager, "fire", id, "start");
            await Cases.StepAsync(manager, "fire", id, "handle", new { result = $"第{round}次整改" });
            await Cases.StepAsync(office, "fire", id, "verify", new { passed = false, reason = "整改不到位" });
        }

        // It reaches the cadre service as a record against the person who handled it; a supervisor may not read the ledger.
        JsonElement record = default;
        await Wait.UntilAsync(async () =>
        {
            var ledger = await Cases.ReadAsync(await discipline.Http.GetAsync("/api/cadre/v1/accountability?kind=reopened"), "accountability");
            record = ledger.GetProperty("records").EnumerateArray().FirstOrDefault(r => r.GetProperty("caseId").GetString() == id);
            return record.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(60), "the reopened fire case to reach the accountability ledger");
        Assert.Equal("fire", record.GetProperty("domain").GetString());
        Assert.Equal(manager.Name, record.GetProperty("responsible").GetString());
        Assert.True(record.GetProperty("reopenCount").GetInt32() >= 3, record.ToString());
        using (var refused = await supervisor.Http.GetAsync("/api/cadre/v1/accountability"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // A measure is proposed, never imposed: the discipline role confirms it with a reason.
        JsonElement proposal = default;
        await Wait.UntilAsync(async () =>
        {
            var proposals = await Cases.ReadAsync(await discipline.Http.GetAsync("/api/cadre/v1/accountability/proposals?state=proposed"), "proposals");
            proposal = proposals.EnumerateArray().FirstOrDefault(p => p.GetProperty("responsible").GetString() == manager.Name);
            return proposal.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(30), "a measure proposed for the person who handled it");
        var confirmed = await Cases.ReadAsync(await discipline.Http.PostAsJsonAsync(
            $"/api/cadre/v1/accountability/proposals/{proposal.GetProperty("id").GetString()}/confirm", new { reason = "反复返工" }), "confirm");
        Assert.Equal("confirmed", confirmed.GetProperty("state").GetString());

        // The ledger as Excel for the commission; refused to the supervisor.
        using (var xlsx = await discipline.Http.GetAsync("/api/cadre/v1/accountability/export.xlsx?kind=reopened"))
        {
            Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
            Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        }

        using (var refused = await supervisor.Http.GetAsync("/api/cadre/v1/accountability/export.xlsx"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }

    [Fact]
    public async Task An_important_report_goes_straight_to_the_county_commission()
    {
        var everyone = await suite.DemoUsersAsync();
        var supervisor = everyone.Single(u => u.UserName == "supervisor01");
        var discipline = everyone.Single(u => u.UserName == "discipline01");

        var cadres = await Cases.ReadAsync(await supervisor.Http.GetAsync("/api/cadre/v1/cadres?limit=5"), "cadres");
        var cadreId = cadres.EnumerateArray().First().GetProperty("id").GetString();
        using (var bad = await supervisor.Http.PostAsJsonAsync("/api/cadre/v1/reports", new { cadreId, circle = "life", summary = "收受购物卡", severity = "urgent", resident = new { name = "某居民" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("severity", await bad.Content.ReadAsStringAsync());
        }

        var answer = await Cases.ReadAsync(await supervisor.Http.PostAsJsonAsync("/api/cadre/v1/reports",
            new { cadreId, circle = "life", summary = "收受购物卡", important = true, resident = new { name = "某居民" } }), "important report");
        Assert.True(answer.GetProperty("important").GetBoolean());
        var theCase = await Cases.GetAsync(discipline, "cadre", answer.GetProperty("caseId").GetString()!);

        // Held at the top of the cadre chain (the county), not at the grid where it was reported.
        var path = Cases.GridPath(theCase);
        Assert.True(path.Length > 1, theCase.ToString());
        Assert.Equal(path[0], theCase.GetProperty("holderGridId").GetString());
        Assert.Equal(path[0], answer.GetProperty("holderGridId").GetString());
    }
}
