using System.Net;
using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>
/// 问责 from another department: a real fire service, in its own process on the same broker, leaves a case unaccepted past
/// its deadline (a two-second acceptance allowance, scanned every second); its scheduler's breach arrives here as an
/// accountability record for the grid it names, counted, with its proposal for the commission.
/// </summary>
public sealed class FireBreachTests
{
    [Fact]
    public async Task A_fire_case_left_overdue_by_the_fire_service_arrives_as_an_accountability_record()
    {
        var infra = await GridInfrastructure.GetAsync();
        var messaging = await infra.CreateVirtualHostAsync("cadre_fire");
        await using var host = await CadreHost.StartOnAsync(messaging);

        var county = "CF" + Guid.NewGuid().ToString("N")[..6];
        var village = county + "-T1-V1";
        var settings = await FireServiceSettings.CreateAsync(infra, messaging, "cadrefire",
            [new(county, "示范县", "county"), new(county + "-T1", "一镇", "large", county), new(village, "东村", "mid", county + "-T1")]);
        settings["Casework__Deadlines__0__Severity"] = "general";
        settings["Casework__Deadlines__0__AcceptWithin"] = "00:00:02";
        settings["Casework__SchedulerInterval"] = "00:00:01";
        await using var fire = await ProjectProcess.StartAsync("fire", "services/Grid.FireSafety", settings);
        using var fireHttp = new HttpClient { BaseAddress = fire.Url };
        fireHttp.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Create("worker-1", ["grid-worker"], ["fire"], [county]));
        string number;
        using (var reported = await fireHttp.PostAsJsonAsync("/api/fire/v1/cases", new { category = "evacuation", severity = "general", title = "堵塞消防通道", gridId = village }))
        {
            Assert.True(reported.StatusCode == HttpStatusCode.Created, await reported.Content.ReadAsStringAsync());
            number = (await reported.ReadJsonAsync()).GetProperty("number").GetString()!;
        }

        // Nobody at the village accepts it within its allowance: the fire service's breach reaches the cadre service.
        await Wait.UntilAsync(async () => await host.CountAsync("cadre.accountability_records", "\"Domain\" = 'fire'") > 0, TimeSpan.FromSeconds(90), "the fire breach recorded");
        var discipline = host.Discipline();
        var ledger = await (await discipline.GetAsync($"/api/cadre/v1/accountability?responsible=grid:{village}")).OkJsonAsync();
        var record = ledger.GetProperty("records").EnumerateArray().Last();
        Assert.Equal("fire", record.GetProperty("domain").GetString());
        Assert.Equal(number, record.GetProperty("caseNumber").GetString());
        Assert.Equal("accept", record.GetProperty("step").GetString());
        Assert.Equal("breach", record.GetProperty("kind").GetString());
        Assert.True(ledger.GetProperty("counts")[0].GetProperty("breaches").GetInt32() >= 1);
        var proposals = await (await discipline.GetAsync("/api/cadre/v1/accountability/proposals?state=proposed")).OkJsonAsync();
        var proposal = proposals.EnumerateArray().Single(p => p.GetProperty("responsible").GetString() == $"grid:{village}" && p.GetProperty("measure").GetString() == "criticism");
        var confirmed = await (await discipline.PostJsonAsync($"/api/cadre/v1/accountability/proposals/{proposal.GetProperty("id").GetGuid()}/confirm", new { reason = "消防案件超期未受理" })).OkJsonAsync();
        Assert.Equal("confirmed", confirmed.GetProperty("state").GetString());
    }
}
