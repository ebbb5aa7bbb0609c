using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

    [Fact]
    public async Task A_dismissed_informant_leaves_a_blank_spot_that_an_appointment_fills_and_the_county_reads_its_figures()
    {
        var everyone = await suite.DemoUsersAsync();
        var county = everyone.Single(u => u.UserName == "drugs-county");
        var township = everyone.Single(u => u.UserName == "town01-drugs");
        var informant = everyone.Single(u => u.UserName == "village01-drugs");
        var fire = everyone.Single(u => u.UserName == "town01-fire");

        // 动态管理: the demo county dismissed one informant, and the blank-spot report names their village.
        var dismissed = (await Cases.ReadAsync(await county.Http.GetAsync("/api/drugs/v1/staff?active=false"), "dismissed staff"))
            .EnumerateArray().First(s => s.GetProperty("kind").GetString() == "Informant");
        var personId = dismissed.GetProperty("personId").GetString();
        var village = dismissed.GetProperty("gridId").GetString()!;
        Assert.True(await NoInformantAsync(village), $"village {village} is not a blank spot");

        // 聘任 again, recommended by the villagers: the gap closes; a village informant may not appoint.
        var appointment = new { personId, kind = "Informant", gridId = village, recommendedBy = "村民代表会议推荐" };
        using (var refused = await informant.Http.PostAsJsonAsync("/api/drugs/v1/staff", appointment))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var staff = await Cases.ReadAsync(await county.Http.PostAsJsonAsync("/api/drugs/v1/staff", appointment), "appointment");
        var id = staff.GetProperty("id").GetString()!;
        Assert.False(await NoInformantAsync(village));
        var today = DateTime.UtcNow.AddHours(8);
        await Cases.ReadAsync(await county.Http.PostAsJsonAsync($"/api/drugs/v1/staff/{id}/trainings", new { on = today.ToString("yyyy-MM-dd"), topic = "假劣药品识别", hours = 4 }), "training");
        var assessed = await Cases.ReadAsync(await county.Http.PostAsJsonAsync($"/api/drugs/v1/staff/{id}/assessments",
            new { period = $"{today.Year}-Q{((today.Month - 1) / 3) + 1}", score = 85 }), "assessment");
        Assert.True(assessed.GetProperty("passed").GetBoolean(), assessed.ToString());

        // Dismissed again: the village is a blank spot once more, and the closed file takes nothing new.
        var again = await Cases.ReadAsync(await county.Http.PostAsJsonAsync($"/api/drugs/v1/staff/{id}/dismiss", new { reason = "考核不合格" }), "dismissal");
        Assert.False(again.GetProperty("active").GetBoolean());
        Assert.True(await NoInformantAsync(village));
        using (var closed = await county.Http.PostAsJsonAsync($"/api/drugs/v1/staff/{id}/dismiss", new { reason = "重复" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
        }

        // The township's plan compliance, the county's figures (the demo's fake batch among the positives) and a ledger;
        // another domain's office is refused.
        var compliance = await Cases.ReadAsync(await township.Http.GetAsync("/api/drugs/v1/inspections/compliance"), "compliance");
        Assert.Equal(JsonValueKind.Object, compliance.GetProperty("total").ValueKind);
        var from = today.AddDays(-60).ToString("yyyy-MM-dd");
        var figures = await Cases.ReadAsync(await county.Http.GetAsync($"/api/drugs/v1/statistics?from={from}&to={today:yyyy-MM-dd}"), "statistics");
        Assert.True(figures.GetProperty("total").GetProperty("screening").GetProperty("positives").GetInt32() >= 1, figures.ToString());
        using (var xlsx = await county.Http.GetAsync($"/api/drugs/v1/samples/ledger.xlsx?from={from}"))
        {
            Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
            Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        }

        using (var refused = await fire.Http.GetAsync("/api/drugs/v1/statistics"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        async Task<bool> NoInformantAsync(string grid) =>
            (await Cases.ReadAsync(await county.Http.GetAsync("/api/drugs/v1/coverage/blank-spots"), "blank spots")).EnumerateArray()
            .Any(b => b.GetProperty("gridId").GetString() == grid && b.GetProperty("gap").GetString() == "no-informant");
    }
}
