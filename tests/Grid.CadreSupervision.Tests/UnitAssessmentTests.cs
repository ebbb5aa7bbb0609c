using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>单位考评: a unit scores its own cadres, and only them; the scores feed the two-way evaluation and the audit chain.</summary>
public sealed class UnitAssessmentTests
{
    [Fact]
    public async Task A_unit_scores_only_its_own_cadres_all_or_none_and_the_scores_feed_the_combined_evaluation()
    {
        await using var host = await CadreHost.StartAsync();
        var discipline = host.Discipline();
        var a = await host.CadreAsync("冯志明", GridTree.VillageA1, "DEPT-ENV");
        var b = await host.CadreAsync("陈淑华", GridTree.VillageB1, "DEPT-ENV");
        var police = await host.CadreAsync("韩卫东", GridTree.VillageA1, "DEPT-POLICE-03");
        (await discipline.PostJsonAsync("/api/cadre/v1/units/DEPT-ENV/contacts", new { subject = "env-contact" })).EnsureSuccessStatusCode();
        var unit = host.As("env-contact", "cadre-unit", GridTree.County);
        const string path = "/api/cadre/v1/units/environment-bureau/assessments/2026";

        // Refused and nothing written: another unit's cadre (named as if absent), a score out of range, a cadre twice;
        // another unit's page; a unit post not named for this unit; a supervisor.
        var foreign = await unit.PutAsJsonAsync(path, new { scores = new object[] { new { cadreId = a, value = 80 }, new { cadreId = police, value = 90 } } });
        Assert.Equal(["scores[1].cadreId"], await foreign.FieldErrorsAsync());
        var bad = await unit.PutAsJsonAsync(path, new { scores = new object[] { new { cadreId = a, value = 101 }, new { cadreId = a, value = 60 } } });
        Assert.Equal(["scores[0].value", "scores[1].cadreId"], (await bad.FieldErrorsAsync()).Order().ToArray());
        await (await unit.PutAsJsonAsync("/api/cadre/v1/units/police-station-3/assessments/2026", new { scores = new object[] { new { cadreId = police, value = 90 } } })).ProblemAsync(404);
        await (await host.As("someone", "cadre-unit", GridTree.County).PutAsJsonAsync(path, new { scores = new object[] { new { cadreId = a, value = 90 } } })).ProblemAsync(404);
        await (await host.As("sup-a1", "supervisor", GridTree.VillageA1).PutAsJsonAsync(path, new { scores = new object[] { new { cadreId = a, value = 90 } } })).ProblemAsync(403);
        Assert.Equal(0, await host.CountAsync("cadre.unit_assessments"));

        var entered = await (await unit.PutAsJsonAsync(path, new { scores = new object[] { new { cadreId = a, value = 85 }, new { cadreId = b, value = 70 } } })).OkJsonAsync();
        Assert.Equal(2, entered.GetProperty("recorded").GetInt32());
        var read = await (await unit.GetAsync(path)).OkJsonAsync();
        var scores = read.GetProperty("cadres").EnumerateArray().ToDictionary(x => x.GetProperty("cadreId").GetGuid(), x => x.GetProperty("score").GetDecimal());
        Assert.Equal(new Dictionary<Guid, decimal> { [a] = 85m, [b] = 70m }, scores);

        // A township commission scores only the unit's cadres in its grids (b lives in town B).
        var township = await host.Discipline(GridTree.TownA).PutAsJsonAsync(path, new { scores = new object[] { new { cadreId = b, value = 10 } } });
        Assert.Equal(["scores[0].cadreId"], await township.FieldErrorsAsync());

        // Residents' verdict 5 → 100 points; combined 0.4·100 + 0.6·85 = 91 with the unit's own score.
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{a}/evaluations", new { year = 2026, verdicts = new object[] { new { raterKind = "resident", score = 5 } } })).EnsureSuccessStatusCode();
        var result = await (await discipline.GetAsync("/api/cadre/v1/evaluations?year=2026&departmentId=environment-bureau")).OkJsonAsync();
        var mine = result.GetProperty("cadres").EnumerateArray().Single(x => x.GetProperty("cadreId").GetGuid() == a);
        Assert.Equal(85m, mine.GetProperty("unit").GetDecimal());
        Assert.Equal(91m, mine.GetProperty("combined").GetDecimal());

        // Each score is on the cadre's audit chain, by who entered it.
        await Wait.UntilAsync(async () => await host.CountAsync("casework_audit.entries", $"case_id = '{a}' AND action = 'unit-assessment' AND actor = 'env-contact'") == 1,
            TimeSpan.FromSeconds(20), "the unit's score chained");
    }
}
