using Grid.DrugSupply.Domain;
using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>
/// 两员管理: coordinators and informants posted at the organization (town A's coordinator, informants of villages A1 and
/// B1; the GridTree names a posted person <c>{role}-{grid}</c>), appointed, trained, assessed against a pass mark of 80,
/// rewarded, logging their work, and dismissed — after which coverage and the blank-spot report show the gap again.
/// </summary>
public class StaffTests
{
    internal static void Posts(GridTree tree)
    {
        tree.Post(GridTree.TownA, DrugRoles.Coordinator, "协管员 王建国");
        tree.Post(GridTree.VillageA1, DrugRoles.Informant, "信息员 李秀英");
        tree.Post(GridTree.VillageB1, DrugRoles.Informant, "信息员 张志强");
    }

    internal static object Appointment(string person, StaffKind kind, string grid, string appointedOn = "2026-03-15") => new
    {
        personId = person,
        kind,
        gridId = grid,
        recommendedBy = "村民代表会议推荐",
        recommendedOn = "2026-03-01",
        appointedOn,
    };

    internal static async Task<Guid> AppointAsync(HttpClient authority, string person, StaffKind kind, string grid) =>
        (await (await authority.PostJsonAsync("/api/drugs/v1/staff", Appointment(person, kind, grid))).OkJsonAsync()).GetProperty("id").GetGuid();

    private static async Task<string[]> SpotsAsync(HttpClient c) =>
        [.. (await (await c.GetAsync("/api/drugs/v1/coverage/blank-spots")).OkJsonAsync()).EnumerateArray()
            .Where(s => s.GetProperty("gap").GetString() != Gaps.NoSupplyPoint)
            .Select(s => $"{s.GetProperty("gridId").GetString()}:{s.GetProperty("gap").GetString()}")];

    private static async Task<(int Count, int Total)> InformantsAsync(HttpClient c)
    {
        var i = (await (await c.GetAsync("/api/drugs/v1/coverage")).OkJsonAsync()).GetProperty("total").GetProperty("informants");
        return (i.GetProperty("count").GetInt32(), i.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_informant_is_appointed_trained_assessed_rewarded_keeps_a_log_and_once_dismissed_leaves_coverage_and_the_gap_returns()
    {
        await using var host = await DrugsHost.StartAsync(h => h.WithSetting("Drugs:Staff:PassMark", "80"), Posts);
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        var appointed = await (await county.PostJsonAsync("/api/drugs/v1/staff",
            Appointment($"{DrugRoles.Informant}-{GridTree.VillageA1}", StaffKind.Informant, GridTree.VillageA1))).OkJsonAsync();
        Assert.Equal("信息员 李秀英", appointed.GetProperty("name").GetString());
        Assert.Equal(["county", "town-a", "village-a1"], appointed.GetProperty("gridPath").EnumerateArray().Select(g => g.GetString()!).ToArray());
        var id = appointed.GetProperty("id").GetGuid();

        // Trainings add up; 82 passes a pass mark of 80 and 75 does not; a second assessment of a period is refused.
        await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/trainings", new { on = "2026-04-10", topic = "药品安全基础知识", hours = 4 })).OkJsonAsync();
        await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/trainings", new { on = "2026-09-02", topic = "假劣药品识别", hours = 2.5 })).OkJsonAsync();
        Assert.False((await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/assessments", new { period = "2026-Q2", score = 75 })).OkJsonAsync()).GetProperty("passed").GetBoolean());
        Assert.True((await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/assessments", new { period = "2026-Q3", score = 82 })).OkJsonAsync()).GetProperty("passed").GetBoolean());
        Assert.Equal(["period"], await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/assessments", new { period = "2026-Q3", score = 90 })).FieldErrorsAsync());
        await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/rewards", new { kind = "Reward", reason = "提供假药线索", amount = 500 })).OkJsonAsync();

        // The informant logs their own work; town B's informant may not write in it.
        var self = host.As($"{DrugRoles.Informant}-{GridTree.VillageA1}", DrugRoles.Informant, GridTree.VillageA1);
        await (await self.PostJsonAsync($"/api/drugs/v1/staff/{id}/log", new { text = "走访东关村卫生室，药柜温湿度记录齐全" })).OkJsonAsync();
        var other = host.As("informant-b1", DrugRoles.Informant, GridTree.VillageB1);
        await (await other.PostJsonAsync($"/api/drugs/v1/staff/{id}/log", new { text = "x" })).ProblemAsync(404);

        var file = await (await self.GetAsync($"/api/drugs/v1/staff/{id}")).OkJsonAsync();
        Assert.Equal(6.5m, file.GetProperty("trainingHours").GetDecimal());
        Assert.Equal(2, file.GetProperty("assessments").GetArrayLength());
        Assert.Equal(500m, Assert.Single(file.GetProperty("rewards").EnumerateArray()).GetProperty("amount").GetDecimal());
        Assert.Equal("走访东关村卫生室，药柜温湿度记录齐全", Assert.Single(file.GetProperty("log").EnumerateArray()).GetProperty("text").GetString());

        // In service: only village A2 lacks an informant, town B a coordinator.
        Assert.Equal(["village-a2:no-informant", "town-b:no-coordinator"], await SpotsAsync(county));
        Assert.Equal((2, 3), await InformantsAsync(county));

        // 动态管理: dismissed, the informant no longer counts though the organization's post remains; the file is closed.
        var dismissed = await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/dismiss", new { reason = "连续两个季度考核不合格" })).OkJsonAsync();
        Assert.False(dismissed.GetProperty("active").GetBoolean());
        Assert.Equal(["village-a1:no-informant", "village-a2:no-informant", "town-b:no-coordinator"], await SpotsAsync(county));
        Assert.Equal((1, 3), await InformantsAsync(county));
        await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/trainings", new { on = "2026-11-18", topic = "t", hours = 1 })).ProblemAsync(409);
        await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/dismiss", new { reason = "again" })).ProblemAsync(409);
        var dismissal = await Wait.ScalarAsync<string>(host.ConnectionString, "SELECT payload FROM casework.outbox WHERE event_type = 'DrugStaffDismissed'");
        Assert.Contains($"\"personId\":\"{DrugRoles.Informant}-{GridTree.VillageA1}\"", dismissal);
        Assert.Equal(1, await host.CountAsync("casework.outbox", "event_type = 'DrugStaffDismissed'"));
        await Wait.UntilAsync(async () => await host.CountAsync("casework.outbox", "event_type = 'DrugStaffDismissed' AND state = 0") == 0,
            TimeSpan.FromSeconds(30), "the dismissal to be published to the broker");
        var inactive = await (await county.GetAsync("/api/drugs/v1/staff?active=false")).OkJsonAsync();
        Assert.Equal(id, Assert.Single(inactive.EnumerateArray()).GetProperty("id").GetGuid());

        // Appointed again (a new file), the informant counts once more.
        await AppointAsync(county, $"{DrugRoles.Informant}-{GridTree.VillageA1}", StaffKind.Informant, GridTree.VillageA1);
        Assert.Equal((2, 3), await InformantsAsync(county));
    }

    [Fact]
    public async Task Bad_appointments_and_entries_are_refused_naming_the_field_or_claim_and_nothing_is_written()
    {
        await using var host = await DrugsHost.StartAsync(staff: Posts);
        var county = host.As("county-authority", DrugRoles.Authority, GridTree.County);
        async Task<string[]> Appoint(object body) => await (await county.PostJsonAsync("/api/drugs/v1/staff", body)).FieldErrorsAsync();

        Assert.Equal(["personId"], await Appoint(Appointment("nobody", StaffKind.Informant, GridTree.VillageA1)));
        Assert.Equal(["personId"], await Appoint(Appointment($"{DrugRoles.Informant}-{GridTree.VillageB1}", StaffKind.Informant, GridTree.VillageA1)));
        Assert.Equal(["gridId"], await Appoint(Appointment($"{DrugRoles.Coordinator}-{GridTree.TownA}", StaffKind.Coordinator, GridTree.VillageA1)));
        Assert.Equal(["gridId"], await Appoint(Appointment("x", StaffKind.Informant, "nowhere")));
        Assert.Equal(["appointedOn"], await Appoint(Appointment($"{DrugRoles.Informant}-{GridTree.VillageA1}", StaffKind.Informant, GridTree.VillageA1, "2027-01-01")));
        Assert.Equal(["kind", "recommendedBy"], (await Appoint(new { personId = "x", gridId = GridTree.VillageA1 })).Order().ToArray());

        // The role, the domain and the grid of the post.
        var body = Appointment($"{DrugRoles.Informant}-{GridTree.VillageA1}", StaffKind.Informant, GridTree.VillageA1);
        Assert.Equal("role", (await (await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).PostJsonAsync("/api/drugs/v1/staff", body)).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal("grid", (await (await host.As("authority-b", DrugRoles.Authority, GridTree.TownB).PostJsonAsync("/api/drugs/v1/staff", body)).ProblemAsync(403)).GetProperty("claim").GetString());
        var fire = host.CreateClient(TestTokens.Create("fire-1", [DrugRoles.Authority], ["fire"], ["*"]));
        Assert.Equal("domain", (await (await fire.PostJsonAsync("/api/drugs/v1/staff", body)).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(0, await host.CountAsync("drugs.staff"));

        var id = await AppointAsync(county, $"{DrugRoles.Coordinator}-{GridTree.TownA}", StaffKind.Coordinator, GridTree.TownA);
        Assert.Equal(["personId"], await Appoint(Appointment($"{DrugRoles.Coordinator}-{GridTree.TownA}", StaffKind.Coordinator, GridTree.TownA)));
        Assert.Equal(["hours"], await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/trainings", new { on = "2026-04-10", topic = "培训", hours = 0 })).FieldErrorsAsync());
        Assert.Equal(["on"], await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/trainings", new { on = "2026-12-10", topic = "培训", hours = 2 })).FieldErrorsAsync());
        Assert.Equal(["period", "score"], (await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/assessments", new { period = "2026-Q5", score = 140 })).FieldErrorsAsync()).Order().ToArray());
        Assert.Equal(["kind"], await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/rewards", new { kind = "WorkLog", reason = "x" })).FieldErrorsAsync());
        Assert.Equal(["pointId"], await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/log", new { text = "巡查", pointId = Guid.NewGuid() })).FieldErrorsAsync());
        Assert.Equal(["reason"], await (await county.PostJsonAsync($"/api/drugs/v1/staff/{id}/dismiss", new { })).FieldErrorsAsync());
        Assert.Equal("role", (await (await host.As("coord-a", DrugRoles.Coordinator, GridTree.TownA).PostJsonAsync($"/api/drugs/v1/staff/{id}/assessments", new { period = "2026-Q3", score = 90 })).ProblemAsync(403)).GetProperty("claim").GetString());
        Assert.Equal(1, await host.CountAsync("drugs.staff"));
        Assert.Equal(0, await host.CountAsync("drugs.staff_entries"));
        Assert.Equal(1, await host.CountAsync("drugs.staff", "\"DismissedOn\" IS NULL"));
    }
}
