using System.Net;
using System.Text.Json;
using Grid.FireSafety.Domain;
using Grid.Testing;

namespace Grid.FireSafety.Tests;

public class TransferAndRewardTests
{
    private static string State(JsonElement v) => v.GetProperty("case").GetProperty("state").GetString()!;

    /// <summary>A polluting workshop found on a fire patrol: transferred to environment, handled there, the result comes back.</summary>
    [Fact]
    public async Task A_hazard_outside_fire_is_transferred_to_environment_and_its_result_comes_back()
    {
        await using var fire = await FireHost.StartAsync();
        await using var env = await EnvironmentHost.StartAsync(fire.Messaging);
        var gw = fire.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        var found = await (await gw.PostJsonAsync("/api/fire/v1/hazards", new
        {
            gridId = FireHost.Small1,
            area = "other",
            title = "家庭作坊电镀废水直排河沟",
            description = "消防巡查发现，属环保范畴",
        })).OkJsonAsync();
        var id = found.GetProperty("case").GetProperty("id").GetGuid();

        var office = fire.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        await (await office.PostJsonAsync($"/api/fire/v1/cases/{id}/accept", new { })).OkJsonAsync();
        var sent = await (await office.PostJsonAsync($"/api/fire/v1/cases/{id}/transfer", new { targetDomain = "environment", reason = "移交环保部门查处" })).OkJsonAsync();
        Assert.Equal("transferred", sent.GetProperty("state").GetString());

        // The environment side opens its own case and works it to closure.
        var envAdmin = env.Admin();
        Guid envId = default;
        await Wait.UntilAsync(async () =>
        {
            var list = await (await envAdmin.GetAsync("/api/environment/v1/cases")).OkJsonAsync();
            var item = list.GetProperty("items").EnumerateArray().FirstOrDefault();
            if (item.ValueKind == JsonValueKind.Undefined)
            {
                return false;
            }

            envId = item.GetProperty("id").GetGuid();
            return true;
        }, TimeSpan.FromSeconds(20), "the environment case");
        await Wait.UntilAsync(async () =>
            (await (await office.GetAsync($"/api/fire/v1/hazards/{id}")).OkJsonAsync()).GetProperty("case").GetProperty("transferCaseId").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(20), "the transfer accepted");

        await (await envAdmin.PostJsonAsync($"/api/environment/v1/cases/{envId}/accept", new { })).OkJsonAsync();
        await (await envAdmin.PostJsonAsync($"/api/environment/v1/cases/{envId}/dispatch", new { assignee = "县环保执法大队" })).OkJsonAsync();
        await (await envAdmin.PostJsonAsync($"/api/environment/v1/cases/{envId}/start", new { })).OkJsonAsync();
        await (await envAdmin.PostJsonAsync($"/api/environment/v1/cases/{envId}/handle", new { result = "责令停产，封堵排污口" })).OkJsonAsync();
        await (await envAdmin.PostJsonAsync($"/api/environment/v1/cases/{envId}/verify", new { passed = true })).OkJsonAsync();
        await (await envAdmin.PostJsonAsync($"/api/environment/v1/cases/{envId}/close", new { })).OkJsonAsync();

        // The result is fire's feedback; fire checks and closes.
        JsonElement back = default;
        await Wait.UntilAsync(async () =>
        {
            back = await (await office.GetAsync($"/api/fire/v1/hazards/{id}")).OkJsonAsync();
            return State(back) == "handled";
        }, TimeSpan.FromSeconds(20), "the transfer result");
        Assert.Contains("封堵排污口", back.GetProperty("case").GetProperty("result").GetString());
        Assert.Equal("closed", State(await (await office.PostJsonAsync($"/api/fire/v1/hazards/{id}/reinspection", new { passed = true })).OkJsonAsync()));
    }

    [Fact]
    public async Task The_reporter_is_hidden_from_grid_workers_and_shown_to_the_reward_centre_which_decides_and_pays()
    {
        foreach (var identity in new[] { "陈举报", "13912345678", "林匿名", "13700000000" })
        {
            TestRunLog.SecretUsed("reporter identity", identity);
        }

        await using var host = await FireHost.StartAsync();
        var centre = host.As("rc-1", FireRoles.RewardCentre, FireHost.Town);
        var ordinary = await (await centre.PostJsonAsync("/api/fire/v1/public-reports", new
        {
            gridId = FireHost.Small1,
            area = "evacuation",
            title = "网吧后门被锁死",
            reporter = new { name = "陈举报", phone = "13912345678", wantsReward = true },
        })).OkJsonAsync();
        var major = await (await centre.PostJsonAsync("/api/fire/v1/public-reports", new
        {
            gridId = FireHost.Small1,
            area = "gas",
            title = "饭店液化气钢瓶违规存放于地下室",
            major = true,
            reporter = new { name = "林匿名", phone = "13700000000", wantsReward = true },
        })).OkJsonAsync();
        var id = ordinary.GetProperty("case").GetProperty("id").GetGuid();
        var majorId = major.GetProperty("case").GetProperty("id").GetGuid();
        Assert.Equal("pending", ordinary.GetProperty("rewardStatus").GetString());

        // A grid worker sees the hazard, never who reported it.
        var gw = host.As("gw-1", FireRoles.GridWorker, FireHost.Small1);
        var seen = await (await gw.GetAsync($"/api/fire/v1/hazards/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("网吧后门被锁死", seen);
        Assert.DoesNotContain("陈举报", seen);
        Assert.DoesNotContain("13912345678", seen);
        Assert.Equal(HttpStatusCode.Forbidden, (await gw.GetAsync($"/api/fire/v1/cases/{id}/reporter")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await gw.GetAsync("/api/fire/v1/rewards")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.As("admin-1", FireRoles.Admin).GetAsync($"/api/fire/v1/cases/{id}/reporter")).StatusCode);
        Assert.Equal(0, await host.CountAsync("casework.outbox", "payload LIKE '%陈举报%' OR payload LIKE '%13912345678%'"));
        Assert.Equal(2, await host.CountAsync("casework.reporters"));
        Assert.Equal(0, await host.CountAsync("casework.reporters", "position(convert_to('13912345678', 'UTF8') in ciphertext) > 0"));

        // The reward centre sees the reporter.
        var reporter = await (await centre.GetAsync($"/api/fire/v1/cases/{id}/reporter")).OkJsonAsync();
        Assert.Equal("陈举报", reporter.GetProperty("name").GetString());
        var claims = await (await centre.GetAsync("/api/fire/v1/rewards")).Content.ReadAsStringAsync();
        Assert.Contains("13912345678", claims);

        // Not verified yet: no decision. Verified (立案) → 50 yuan; major → 300 yuan; then paid.
        Assert.Equal(HttpStatusCode.Conflict, (await centre.PostAsync($"/api/fire/v1/rewards/{id}/decision", null)).StatusCode);
        var office = host.As("office-1", FireRoles.TownshipFireOffice, FireHost.Town);
        await (await office.PostJsonAsync($"/api/fire/v1/cases/{id}/accept", new { })).OkJsonAsync();
        var brigade = host.As("brigade-1", FireRoles.FireBrigade);
        await (await brigade.PostJsonAsync($"/api/fire/v1/cases/{majorId}/accept", new { })).OkJsonAsync();

        var decided = await (await centre.PostAsync($"/api/fire/v1/rewards/{id}/decision", null)).OkJsonAsync();
        Assert.Equal(("verified", 50m), (decided.GetProperty("status").GetString(), decided.GetProperty("amount").GetDecimal()));
        var decidedMajor = await (await centre.PostAsync($"/api/fire/v1/rewards/{majorId}/decision", null)).OkJsonAsync();
        Assert.Equal(300m, decidedMajor.GetProperty("amount").GetDecimal());
        Assert.Equal(HttpStatusCode.BadRequest, (await centre.PostJsonAsync($"/api/fire/v1/rewards/{id}/payout", new { reference = "" })).StatusCode);
        var paid = await (await centre.PostJsonAsync($"/api/fire/v1/rewards/{id}/payout", new { reference = "城关镇举报奖励兑现凭证2026-001" })).OkJsonAsync();
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await centre.PostJsonAsync($"/api/fire/v1/rewards/{id}/payout", new { reference = "again" })).StatusCode);
    }
}
