using System.Net;
using System.Net.Http.Json;
using Grid.Contracts.Roles;

namespace Grid.EndToEnd;

/// <summary>Drug supply through the gateway with the demo county's drugs log-ins.</summary>
[Collection(SuiteCollection.Name)]
public class DrugSupplyTests(AssembledSuite suite)
{
    [Fact]
    public async Task An_informants_report_reaches_the_command_centre_and_only_the_reward_centre_reads_who_called()
    {
        var everyone = await suite.DemoUsersAsync();
        var informant = everyone.Single(u => u.UserName == "village01-drugs");
        var township = everyone.Single(u => u.UserName == "town01-drugs");
        var rewards = everyone.Single(u => u.UserName == "reward01");
        var commander = everyone.Single(u => u.Posts.Any(p => p.Role == GridRoles.Commander));
        const string caller = "钱秀英";

        // A point in 东关村, the informant's village (信息员), reported from the hotline with the caller sealed.
        var reported = await Cases.ReadAsync(await informant.Http.PostAsJsonAsync("/api/drugs/v1/cases", new
        {
            category = "other",
            severity = "general",
            title = "村卫生室销售过期药品",
            source = "hotline",
            longitude = 113.02,
            latitude = 34.52,
            reporter = new { name = caller, phone = "13700002222" },
        }), "drugs report");
        var id = reported.GetProperty("id").GetString()!;

        await Cases.SeenByCommandCentreAsync(commander, "drugs", reported, "reported");
        using (var open = await commander.Http.GetAsync($"/api/command/v1/cases?domain=drugs&board=open&grid={Cases.GridPath(reported)[^1]}"))
        {
            var text = await open.Content.ReadAsStringAsync();
            Assert.Contains(id, text);
            Assert.DoesNotContain(caller, text);
        }

        using (var refused = await township.Http.GetAsync($"/api/drugs/v1/cases/{id}/reporter"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var reporter = await Cases.ReadAsync(await rewards.Http.GetAsync($"/api/drugs/v1/cases/{id}/reporter"), "reporter");
        Assert.Equal(caller, reporter.GetProperty("name").GetString());
    }
}
