using Grid.LaborInspection.Domain;
using Grid.Testing;

namespace Grid.LaborInspection.Tests;

/// <summary>欠薪: the township settles an ordinary dispute by mediation; a many-worker case goes to the district with a summons.</summary>
public class ArrearsTests
{
    private static object Mediation(decimal claimed, decimal agreed, string? paidOn = "2026-11-19") => new
    {
        parties = new[] { new { side = "employer", name = "鑫源建材厂 张明" }, new { side = "worker", name = "王强" } },
        amountClaimed = claimed,
        amountAgreed = agreed,
        paidOn,
    };

    [Fact]
    public async Task An_ordinary_dispute_is_settled_at_the_township_with_the_mediation_record()
    {
        await using var host = await ComplaintsTests.StartAsync();
        var employerId = await ComplaintsTests.FileEmployerAsync(host);
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);
        var taken = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", ComplaintsTests.Complaint(employerId, amount: 8600.50m))).OkJsonAsync()).GetProperty("complaint");
        var id = taken.GetProperty("caseId").GetGuid();
        Assert.Equal(JsonValueKindNull, taken.GetProperty("majorReason").ValueKind);

        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/accept", new { })).EnsureSuccessStatusCode();

        // Bad amounts: refused naming the field, nothing written, the case still where it was.
        var negative = await (await office.PostJsonAsync($"/api/labor/v1/complaints/{id}/mediation", Mediation(8600.50m, -1m))).ProblemAsync(400);
        Assert.True(negative.GetProperty("errors").TryGetProperty("amountAgreed", out _));
        var fraction = await (await office.PostJsonAsync($"/api/labor/v1/complaints/{id}/mediation", Mediation(8600.505m, 8000m))).ProblemAsync(400);
        Assert.True(fraction.GetProperty("errors").TryGetProperty("amountClaimed", out _));
        Assert.Equal(0, await host.CountAsync("labor.mediations"));
        Assert.Equal("accepted", (await (await office.GetAsync($"/api/labor/v1/complaints/{id}")).OkJsonAsync()).GetProperty("state").GetString());

        // An inspector does not mediate.
        var inspector = host.As("insp-a", LaborRoles.Inspector, GridTree.TownA);
        await (await inspector.PostJsonAsync($"/api/labor/v1/complaints/{id}/mediation", Mediation(8600.50m, 8000m))).ProblemAsync(403);

        var record = await (await office.PostJsonAsync($"/api/labor/v1/complaints/{id}/mediation", Mediation(8600.50m, 8000.25m))).OkJsonAsync();
        Assert.Equal(8000.25m, record.GetProperty("amountAgreed").GetDecimal());
        Assert.Equal(1, await host.CountAsync("labor.mediations", "\"AmountClaimed\" = 8600.50 AND \"AmountAgreed\" = 8000.25 AND \"PaidOn\" = '2026-11-19'"));
        var complaint = await (await office.GetAsync($"/api/labor/v1/complaints/{id}")).OkJsonAsync();
        Assert.Equal("handled", complaint.GetProperty("state").GetString());
        Assert.Equal(GridTree.VillageA1, complaint.GetProperty("holderGridId").GetString());
        var history = await (await office.GetAsync($"/api/labor/v1/employers/{employerId}/records")).OkJsonAsync();
        Assert.Contains(history.EnumerateArray(), r => r.GetProperty("kind").GetString() == "Settlement" && r.GetProperty("caseId").GetGuid() == id);

        // The office verifies and closes: the complaint is finished.
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/verify", new { passed = true })).EnsureSuccessStatusCode();
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/close", new { })).EnsureSuccessStatusCode();
        Assert.Equal("2026-11-19", (await (await office.GetAsync($"/api/labor/v1/complaints/{id}")).OkJsonAsync()).GetProperty("finishedOn").GetString());
    }

    [Fact]
    public async Task A_case_of_many_workers_goes_to_the_district_at_once_with_police_and_market_regulation_summoned()
    {
        await using var host = await ComplaintsTests.StartAsync();
        var employerId = await ComplaintsTests.FileEmployerAsync(host);
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);

        // Nine workers and a modest sum stay at the township ...
        var nine = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", ComplaintsTests.Complaint(employerId, workers: 9))).OkJsonAsync());
        Assert.Equal(0, nine.GetProperty("summons").GetArrayLength());
        Assert.Equal(GridTree.VillageA1, nine.GetProperty("complaint").GetProperty("holderGridId").GetString());

        // ... ten go to the top of the chain at once, with the two departments summoned.
        var ten = await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", ComplaintsTests.Complaint(employerId, workers: 10, amount: 96000m))).OkJsonAsync();
        var complaint = ten.GetProperty("complaint");
        Assert.Contains("10 workers", complaint.GetProperty("majorReason").GetString());
        Assert.Equal(GridTree.County, complaint.GetProperty("holderGridId").GetString());
        Assert.Equal(["police-station-3", "market-regulator"], ten.GetProperty("summons").EnumerateArray().Select(s => s.GetProperty("departmentId").GetString()));
        var id = complaint.GetProperty("caseId").GetGuid();
        Assert.Equal(2, await host.CountAsync("casework.summons", $"case_id = '{id}'"));

        // A major case is not the township's to mediate.
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        await (await office.PostJsonAsync($"/api/labor/v1/complaints/{id}/mediation", new
        {
            parties = new[] { new { side = "employer", name = "张明" }, new { side = "worker", name = "王强" } },
            amountClaimed = 96000m,
            amountAgreed = 96000m,
        })).ProblemAsync(409);
        Assert.Equal(0, await host.CountAsync("labor.mediations"));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
