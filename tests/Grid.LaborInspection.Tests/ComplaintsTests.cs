using System.Net;
using System.Text.Json;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.LaborInspection.Tests;

/// <summary>
/// Complaints as Casework cases of domain labor. The clock starts Thursday 2026-11-19; Monday 2026-11-23 is configured
/// as a listed holiday, so five working days end on Friday 2026-11-27 (Fri 20, Tue 24, Wed 25, Thu 26, Fri 27).
/// </summary>
public class ComplaintsTests
{
    private const string ComplainantName = "刘秀英";
    private const string ComplainantPhone = "13911112222";

    internal static Task<LaborHost> StartAsync() => LaborHost.StartAsync(h => h
        .WithSetting("Labor:Calendar:Holidays:0", "2026-11-23")
        .WithSetting("Labor:DeadlineScanInterval", "00:00:00")
        .WithSetting("Labor:Arrears:SummonDepartments:0", "DEPT-POLICE-03")
        .WithSetting("Labor:Arrears:SummonDepartments:1", "DEPT-MARKET"));

    internal static async Task<Guid> FileEmployerAsync(LaborHost host, string grid = GridTree.VillageA1, string subject = "91511921MA6C000001")
    {
        var brigade = host.As("brigade-1", LaborRoles.Brigade);
        return (await (await brigade.PostJsonAsync("/api/labor/v1/employers", EmployersTests.Employer("鑫源建材厂", subject, grid))).OkJsonAsync())
            .GetProperty("id").GetGuid();
    }

    internal static object Complaint(Guid employerId, string? ended = null, decimal? amount = 8600m, int workers = 3) => new
    {
        employerId,
        channel = "village",
        title = "拖欠三名工人10月工资",
        description = "工人反映10月工资至今未发",
        violationEndedOn = ended,
        workers,
        amountClaimed = amount,
        complainant = new { name = ComplainantName, phone = ComplainantPhone, idNumber = "511921199001011234" },
    };

    private static void Advance(LaborHost host, int days) => host.Time.Advance(TimeSpan.FromDays(days));

    private static Task<int> ScanAsync(LaborHost host) => host.Services.GetRequiredService<ComplaintDeadlines>().ScanAsync(CancellationToken.None);

    [Fact]
    public async Task A_complaint_is_accepted_and_finished_within_the_working_day_deadlines_across_a_weekend_and_a_holiday()
    {
        await using var host = await StartAsync();
        var employerId = await FileEmployerAsync(host);
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);

        var taken = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", Complaint(employerId))).OkJsonAsync()).GetProperty("complaint");
        var id = taken.GetProperty("caseId").GetGuid();
        Assert.Equal("2026-11-27", taken.GetProperty("acceptBy").GetString());
        Assert.Equal("reported", taken.GetProperty("state").GetString());

        // The complaint is in the employer's history and its rating at once.
        var rating = await (await coordinator.GetAsync($"/api/labor/v1/employers/{employerId}/rating")).OkJsonAsync();
        Assert.Contains(rating.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "complaints");

        // Friday 27 November, the last day: accepted in time.
        Advance(host, 8);
        Assert.Equal(0, await ScanAsync(host));
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/accept", new { })).EnsureSuccessStatusCode();
        var accepted = await (await office.GetAsync($"/api/labor/v1/complaints/{id}")).OkJsonAsync();
        Assert.Equal("2026-11-27", accepted.GetProperty("acceptedOn").GetString());

        // 60 working days from Friday 27 November on weekdays, less the listed holiday already behind: Friday 19 February.
        Assert.Equal("2027-02-19", accepted.GetProperty("finishBy").GetString());

        // One extension of 30 working days, approved by the office; a second is refused.
        var extended = await (await office.PostJsonAsync($"/api/labor/v1/complaints/{id}/extend", new { reason = "涉及人数多，情况复杂" })).OkJsonAsync();
        Assert.Equal("2027-04-02", extended.GetProperty("finishBy").GetString());
        await (await office.PostJsonAsync($"/api/labor/v1/complaints/{id}/extend", new { reason = "再次延期" })).ProblemAsync(409);

        var inspector = host.As("insp-a", LaborRoles.Inspector, GridTree.TownA);
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/dispatch", new { assignee = "insp-a" })).EnsureSuccessStatusCode();
        (await inspector.PostJsonAsync($"/api/labor/v1/cases/{id}/start", new { })).EnsureSuccessStatusCode();
        Advance(host, 20);
        (await inspector.PostJsonAsync($"/api/labor/v1/cases/{id}/handle", new { result = "责令支付拖欠工资，已足额支付" })).EnsureSuccessStatusCode();
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/verify", new { passed = true })).EnsureSuccessStatusCode();
        (await office.PostJsonAsync($"/api/labor/v1/cases/{id}/close", new { })).EnsureSuccessStatusCode();

        var finished = await (await office.GetAsync($"/api/labor/v1/complaints/{id}")).OkJsonAsync();
        Assert.Equal("closed", finished.GetProperty("state").GetString());
        Assert.Equal("2026-12-17", finished.GetProperty("finishedOn").GetString());

        // Long after: nothing is late, for it finished.
        Advance(host, 200);
        Assert.Equal(0, await ScanAsync(host));
        Assert.Equal(0, await host.CountAsync("labor.complaint_breaches"));
    }

    [Fact]
    public async Task A_complaint_left_undecided_past_five_working_days_lands_in_the_breach_record_once()
    {
        await using var host = await StartAsync();
        var employerId = await FileEmployerAsync(host);
        var hotline = host.As("hotline-1", LaborRoles.Hotline);
        var id = (await (await hotline.PostJsonAsync("/api/labor/v1/complaints", Complaint(employerId))).OkJsonAsync()).GetProperty("complaint").GetProperty("caseId").GetGuid();

        // Friday 27 November is still in time (the Saturday and the holiday Monday did not count) ...
        Advance(host, 8);
        Assert.Equal(0, await ScanAsync(host));

        // ... Saturday 28 November is not.
        Advance(host, 1);
        Assert.Equal(1, await ScanAsync(host));
        Assert.Equal(0, await ScanAsync(host));

        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        var breach = Assert.Single((await (await office.GetAsync("/api/labor/v1/complaints/breaches")).OkJsonAsync()).EnumerateArray());
        Assert.Equal(id, breach.GetProperty("caseId").GetGuid());
        Assert.Equal("accept", breach.GetProperty("step").GetString());
        Assert.Equal("2026-11-27", breach.GetProperty("deadline").GetString());

        // Another township does not see it.
        var other = host.As("office-b", LaborRoles.Office, GridTree.TownB);
        Assert.Equal(0, (await (await other.GetAsync("/api/labor/v1/complaints/breaches")).OkJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task A_matter_that_ended_more_than_two_years_ago_is_refused_with_the_reason()
    {
        await using var host = await StartAsync();
        var employerId = await FileEmployerAsync(host);
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);

        var old = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", Complaint(employerId, ended: "2024-11-18"))).OkJsonAsync()).GetProperty("complaint");
        Assert.Equal("rejected", old.GetProperty("state").GetString());
        Assert.Contains("第二十条", old.GetProperty("refusedReason").GetString());

        // Two years to the day is still in time.
        var recent = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", Complaint(employerId, ended: "2024-11-19"))).OkJsonAsync()).GetProperty("complaint");
        Assert.Equal("reported", recent.GetProperty("state").GetString());

        // A refused complaint has no acceptance clock running.
        Advance(host, 30);
        Assert.Equal(1, await ScanAsync(host));
        Assert.Equal(recent.GetProperty("caseId").GetGuid(),
            Assert.Single((await (await coordinator.GetAsync("/api/labor/v1/complaints/breaches")).OkJsonAsync()).EnumerateArray()).GetProperty("caseId").GetGuid());
    }

    [Fact]
    public async Task The_complainant_is_sealed_from_inspectors_events_and_logs()
    {
        await using var host = await StartAsync();
        var employerId = await FileEmployerAsync(host);
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);
        var id = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", Complaint(employerId))).OkJsonAsync()).GetProperty("complaint").GetProperty("caseId").GetGuid();

        // The township office reads who complained: the identity is stored.
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        var complainant = await (await office.GetAsync($"/api/labor/v1/cases/{id}/reporter")).OkJsonAsync();
        Assert.Equal(ComplainantName, complainant.GetProperty("name").GetString());

        // The inspector does not, and nothing the inspector reads carries it.
        var inspector = host.As("insp-a", LaborRoles.Inspector, GridTree.TownA);
        await (await inspector.GetAsync($"/api/labor/v1/cases/{id}/reporter")).ProblemAsync(403);
        var caseBody = await (await inspector.GetAsync($"/api/labor/v1/cases/{id}")).Content.ReadAsStringAsync();
        var complaintBody = await (await inspector.GetAsync($"/api/labor/v1/complaints/{id}")).Content.ReadAsStringAsync();
        Assert.Contains(id.ToString(), caseBody);
        foreach (var body in new[] { caseBody, complaintBody })
        {
            Assert.DoesNotContain(ComplainantName, body);
            Assert.DoesNotContain(ComplainantPhone, body);
        }

        // Events (the outbox holds the case's CaseReported) and log lines do not carry it either.
        Assert.True(await host.CountAsync("casework.outbox", $"case_id = '{id}'") > 0);
        Assert.Equal(0, await host.CountAsync("casework.outbox", $"payload LIKE '%{ComplainantName}%' OR payload LIKE '%{ComplainantPhone}%'"));
        Assert.NotEmpty(host.Logs);
        Assert.DoesNotContain(host.Logs, l => l.Contains(ComplainantName) || l.Contains(ComplainantPhone));
    }

    [Fact]
    public async Task Bad_complaints_get_problems_naming_the_field_and_nothing_is_written()
    {
        await using var host = await StartAsync();
        var employerId = await FileEmployerAsync(host);
        var otherEmployer = await FileEmployerAsync(host, GridTree.VillageB1, "91511921MA6C000002");
        var coordinator = host.As("coord-a1", LaborRoles.Coordinator, GridTree.VillageA1);

        async Task<JsonElement> Refused(object body, string field)
        {
            var problem = await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", body)).ProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
            return problem;
        }

        await Refused(Complaint(Guid.NewGuid()), "employerId");
        await Refused(Complaint(otherEmployer), "employerId"); // another township's employer
        await Refused(Complaint(employerId, amount: -1m), "amountClaimed");
        await Refused(Complaint(employerId, workers: 0), "workers");
        await Refused(Complaint(employerId, ended: "2027-01-01"), "violationEndedOn");

        // Wrong role for the step: an inspector may not decide on acceptance.
        var id = (await (await coordinator.PostJsonAsync("/api/labor/v1/complaints", Complaint(employerId))).OkJsonAsync()).GetProperty("complaint").GetProperty("caseId").GetGuid();
        var inspector = host.As("insp-a", LaborRoles.Inspector, GridTree.TownA);
        await (await inspector.PostJsonAsync($"/api/labor/v1/cases/{id}/accept", new { })).ProblemAsync(403);
        await (await inspector.PostJsonAsync($"/api/labor/v1/complaints/{id}/extend", new { reason = "x" })).ProblemAsync(403);

        Assert.Equal(1, await host.CountAsync("casework.cases"));
        Assert.Equal(1, await host.CountAsync("labor.complaints", "\"AcceptedOn\" IS NULL"));
        Assert.Equal(1, await host.CountAsync("labor.compliance_records"));
    }
}
