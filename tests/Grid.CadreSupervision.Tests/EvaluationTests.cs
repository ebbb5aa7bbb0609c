using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>双向考评 against a result worked out by hand.</summary>
public sealed class EvaluationTests
{
    [Fact]
    public async Task The_years_combined_evaluation_matches_the_hand_computed_fixture()
    {
        await using var host = await CadreHost.StartAsync();
        var discipline = host.Discipline();
        var a = await host.CadreAsync("杨建国", GridTree.VillageA1, "DEPT-POLICE-03");
        var b = await host.CadreAsync("胡丽娟", GridTree.VillageB1, "DEPT-POLICE-03");
        var c = await host.CadreAsync("朱志强", GridTree.VillageA2, "DEPT-ENV");

        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{a}/commitments", new { year = 2026, text = "每季度到社区开展一次公益服务" })).EnsureSuccessStatusCode();

        // A: residents 5 and 4 (mean 4.5 → 90), representatives satisfied and basic (100, 60 → 80), a service user 3 (60).
        //    民评 = 0.5·90 + 0.3·80 + 0.2·60 = 81; unit 85; combined = 0.4·81 + 0.6·85 = 83.4.
        // B: residents dissatisfied and 2 (0, 40 → 20), no other kinds: 民评 = 20; unit 70; combined = 0.4·20 + 0.6·70 = 50.
        // Their unit: (83.4 + 50) / 2 = 66.7. C has verdicts but no unit assessment: no combined result.
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{a}/evaluations", new
        {
            year = 2026,
            verdicts = new object[]
            {
                new { raterKind = "resident", score = 5 }, new { raterKind = "resident", score = 4 },
                new { raterKind = "representative", rating = "satisfied" }, new { raterKind = "representative", rating = "basic" },
                new { raterKind = "service-user", score = 3 },
            },
        })).EnsureSuccessStatusCode();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{b}/evaluations", new
        {
            year = 2026,
            verdicts = new object[] { new { raterKind = "resident", rating = "dissatisfied" }, new { raterKind = "resident", score = 2 } },
        })).EnsureSuccessStatusCode();
        (await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{c}/evaluations", new { year = 2026, verdicts = new object[] { new { raterKind = "resident", score = 5 } } })).EnsureSuccessStatusCode();
        (await discipline.PutAsJsonAsync($"/api/cadre/v1/cadres/{a}/unit-assessment/2026", new { score = 85 })).EnsureSuccessStatusCode();
        (await discipline.PutAsJsonAsync($"/api/cadre/v1/cadres/{b}/unit-assessment/2026", new { score = 70 })).EnsureSuccessStatusCode();

        // A bad verdict anywhere in the list writes none of them.
        var bad = await discipline.PostJsonAsync($"/api/cadre/v1/cadres/{c}/evaluations", new
        {
            year = 2026,
            verdicts = new object[] { new { raterKind = "resident", score = 4 }, new { raterKind = "boss", score = 9 } },
        });
        var errors = (await bad.ProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("verdicts[1].raterKind", out _) && errors.TryGetProperty("verdicts[1]", out _));
        Assert.Equal(8, await host.CountAsync("cadre.resident_evaluations"));

        var result = await (await discipline.GetAsync("/api/cadre/v1/evaluations?year=2026")).OkJsonAsync();
        var cadres = result.GetProperty("cadres").EnumerateArray().ToDictionary(x => x.GetProperty("cadreId").GetGuid());
        Assert.Equal(81m, cadres[a].GetProperty("residents").GetDecimal());
        Assert.Equal(83.4m, cadres[a].GetProperty("combined").GetDecimal());
        Assert.Equal(20m, cadres[b].GetProperty("residents").GetDecimal());
        Assert.Equal(50m, cadres[b].GetProperty("combined").GetDecimal());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cadres[c].GetProperty("combined").ValueKind);
        var police = result.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("departmentId").GetString() == "police-station-3");
        Assert.Equal(66.7m, police.GetProperty("combined").GetDecimal());
        Assert.Equal(2, police.GetProperty("evaluated").GetInt32());

        // A township commission sees only its own grids' cadres.
        var townA = await (await host.Discipline(GridTree.TownA).GetAsync("/api/cadre/v1/evaluations?year=2026")).OkJsonAsync();
        Assert.DoesNotContain(townA.GetProperty("cadres").EnumerateArray(), x => x.GetProperty("cadreId").GetGuid() == b);
        await (await host.As("sup", "supervisor", GridTree.VillageA1).GetAsync("/api/cadre/v1/evaluations?year=2026")).ProblemAsync(403);
    }
}
