using System.Net.Http.Json;
using System.Text.Json;
using Grid.LaborInspection.Domain;
using Grid.Testing;

namespace Grid.LaborInspection.Tests;

/// <summary>
/// 建档进度 against a fixture computed by hand (today 2026-11-19). Files: village A1 甲厂 40 workers and 乙店 5; A2 丙厂 40;
/// B1 丁厂 40. Surveys (摸底): A1 4 employers, 2 of them with 10 or more workers; A2 2 and 1; B1 none.
/// </summary>
public class RolloutTests
{
    private static (int Filed, int Surveyed, decimal? Percent, bool? Met, bool Overdue) Of(JsonElement row, int phase)
    {
        var p = row.GetProperty("phases")[phase];
        return (p.GetProperty("filed").GetInt32(), p.GetProperty("surveyed").GetInt32(),
            p.GetProperty("percent").ValueKind == JsonValueKind.Null ? null : p.GetProperty("percent").GetDecimal(),
            p.GetProperty("met").ValueKind == JsonValueKind.Null ? null : p.GetProperty("met").GetBoolean(),
            p.GetProperty("overdue").GetBoolean());
    }

    [Fact]
    public async Task Files_count_against_the_townships_survey_per_phase_and_a_missed_phase_past_its_day_is_overdue()
    {
        await using var host = await LaborHost.StartAsync();
        await InspectionsTests.FileAsync(host, "甲厂", "91511921MA6F000001", GridTree.VillageA1);
        await InspectionsTests.FileAsync(host, "乙店", "91511921MA6F000002", GridTree.VillageA1, headcount: 5, signed: 5, insured: 5);
        await InspectionsTests.FileAsync(host, "丙厂", "91511921MA6F000003", GridTree.VillageA2);
        await InspectionsTests.FileAsync(host, "丁厂", "91511921MA6F000004", GridTree.VillageB1);
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        var survey = (string grid) => $"/api/labor/v1/rollout/baselines/{grid}";

        // Bad input, another township's grid, a role that does not survey: refused, nothing written.
        Assert.Contains("employers", await (await office.PutAsJsonAsync(survey(GridTree.VillageA1), new { employers = -1, employersWithTenOrMore = 0 })).FieldErrorsAsync());
        Assert.Contains("employersWithTenOrMore", await (await office.PutAsJsonAsync(survey(GridTree.VillageA1), new { employers = 2, employersWithTenOrMore = 3 })).FieldErrorsAsync());
        Assert.Contains("gridId", await (await office.PutAsJsonAsync(survey("nowhere"), new { employers = 2, employersWithTenOrMore = 1 })).FieldErrorsAsync());
        Assert.Equal("grid", (await (await office.PutAsJsonAsync(survey(GridTree.VillageB1), new { employers = 2, employersWithTenOrMore = 1 })).ProblemAsync(403)).GetProperty("claim").GetString());
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);
        Assert.Equal("role", (await (await coordinator.PutAsJsonAsync(survey(GridTree.VillageA1), new { employers = 2, employersWithTenOrMore = 1 })).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(0, await host.CountAsync("labor.rollout_baselines"));

        await (await office.PutAsJsonAsync(survey(GridTree.VillageA1), new { employers = 3, employersWithTenOrMore = 2 })).OkJsonAsync();
        await (await office.PutAsJsonAsync(survey(GridTree.VillageA1), new { employers = 4, employersWithTenOrMore = 2 })).OkJsonAsync();
        await (await office.PutAsJsonAsync(survey(GridTree.VillageA2), new { employers = 2, employersWithTenOrMore = 1 })).OkJsonAsync();
        Assert.Equal(2, await host.CountAsync("labor.rollout_baselines"));

        // Town A (the office's own grid): phase 1 (10+ workers, due 2026-03-31) 2 of 3 — missed and overdue;
        // phase 2 (all, due 2026-12-31) 3 of 6 — not yet due.
        var town = await (await office.GetAsync("/api/labor/v1/rollout")).OkJsonAsync();
        Assert.Equal((2, 3, 66.7m, false, true), Of(town.GetProperty("total"), 0));
        Assert.Equal((3, 6, 50.0m, false, false), Of(town.GetProperty("total"), 1));
        var rows = town.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("gridId").GetString()!);
        Assert.Equal((1, 2, 50.0m, false, true), Of(rows[GridTree.VillageA1], 0));
        Assert.Equal((2, 4, 50.0m, false, false), Of(rows[GridTree.VillageA1], 1));
        Assert.Equal((1, 1, 100.0m, true, false), Of(rows[GridTree.VillageA2], 0));

        // Town B has files but no survey: no percentage to judge.
        var brigade = host.As("brigade-1", LaborRoles.Brigade, GridTree.County);
        var b = await (await brigade.GetAsync($"/api/labor/v1/rollout?gridId={GridTree.TownB}")).OkJsonAsync();
        Assert.Equal((1, 0, null, null, false), Of(b.GetProperty("total"), 0));
        Assert.Equal("grid", (await (await office.GetAsync($"/api/labor/v1/rollout?gridId={GridTree.TownB}")).ProblemAsync(403)).GetProperty("claim").GetString());
    }
}
