using System.Net;
using System.Text;
using Grid.LaborInspection.Domain;
using Grid.Testing;
using MiniExcelLibs;

namespace Grid.LaborInspection.Tests;

public class EmployersTests
{
    internal static object Employer(string name, string subjectId, string grid, int headcount = 40, int signed = 40, int insured = 40, string paid = "2026-10") => new
    {
        name,
        kind = "Company",
        subjectId,
        gridId = grid,
        address = "城关镇工业园3号",
        legalRepresentative = "张明",
        phone = "13800000011",
        headcount,
        contractsSigned = signed,
        contractsDue = 2,
        insuranceEnrolled = insured,
        wagesPaidThrough = $"{paid}-01",
        workingHours = "Standard",
        weeklyHours = 44,
    };

    [Fact]
    public async Task An_employer_is_filed_rated_from_its_file_updated_and_listed_by_cursor_within_scope()
    {
        await using var host = await LaborHost.StartAsync();
        var coordinator = host.As("coord-1", LaborRoles.Coordinator, GridTree.VillageA1);

        var filed = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("宏达制衣厂", "91511921MA6A000001", GridTree.VillageA1, signed: 31))).OkJsonAsync();
        Assert.Equal("Medium", filed.GetProperty("risk").GetString());
        Assert.Equal("2027-05-18", filed.GetProperty("nextInspectionDue").GetString()); // 180 days from 19 November
        Assert.Equal<string>([GridTree.County, GridTree.TownA, GridTree.VillageA1], filed.GetProperty("gridPath").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var id = filed.GetProperty("id").GetGuid();

        var rating = await (await coordinator.GetAsync($"/api/labor/v1/employers/{id}/rating")).OkJsonAsync();
        Assert.Contains("31 of 40", rating.GetProperty("findings")[0].GetProperty("detail").GetString());

        // Two complaints recorded by the township office push it to high risk and a 30-day interval.
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        foreach (var day in new[] { "2026-06-01", "2026-10-01" })
        {
            (await office.PostJsonAsync($"/api/labor/v1/employers/{id}/records", new { kind = "Complaint", on = day, summary = "拖欠工资投诉" })).EnsureSuccessStatusCode();
        }

        var after = await (await office.GetAsync($"/api/labor/v1/employers/{id}")).OkJsonAsync();
        Assert.Equal("High", after.GetProperty("risk").GetString());

        // Contracts signed for all, the complaints remain: medium.
        var updated = await (await coordinator.PutAsJsonAsync($"/api/labor/v1/employers/{id}", Employer("宏达制衣厂", "91511921MA6A000001", GridTree.VillageA1), LaborHost.Json)).OkJsonAsync();
        Assert.Equal("Medium", updated.GetProperty("risk").GetString());

        for (var i = 2; i <= 5; i++)
        {
            (await office.PostJsonAsync("/api/labor/v1/employers", Employer($"厂{i}", $"91511921MA6A00000{i}", i % 2 == 0 ? GridTree.VillageA2 : GridTree.VillageA1))).EnsureSuccessStatusCode();
        }

        // Township A's office pages through all five, two at a time; the coordinator of village A1 sees three.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await office.GetAsync($"/api/labor/v1/employers?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}")).OkJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("name").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Equal(3, (await (await coordinator.GetAsync("/api/labor/v1/employers")).OkJsonAsync()).GetProperty("items").GetArrayLength());

        // Another township sees none of it.
        var other = host.As("office-b", LaborRoles.Office, GridTree.TownB);
        Assert.Equal(0, (await (await other.GetAsync("/api/labor/v1/employers")).OkJsonAsync()).GetProperty("items").GetArrayLength());
        await (await other.GetAsync($"/api/labor/v1/employers/{id}")).ProblemAsync(404);
        await (await other.PutAsJsonAsync($"/api/labor/v1/employers/{id}", Employer("改名", "91511921MA6A000001", GridTree.VillageB1), LaborHost.Json)).ProblemAsync(404);
        Assert.Equal(1, await host.CountAsync("labor.employers", "\"Name\" = '宏达制衣厂'"));
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field_and_nothing_is_written()
    {
        await using var host = await LaborHost.StartAsync();
        var coordinator = host.As("coord-1", LaborRoles.Coordinator, GridTree.VillageA1);
        var ok = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("宏达制衣厂", "91511921MA6A000001", GridTree.VillageA1))).OkJsonAsync();
        var id = ok.GetProperty("id").GetGuid();

        var negative = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("负数厂", "91511921MA6A000009", GridTree.VillageA1, headcount: 10, signed: -1))).ProblemAsync(400);
        Assert.True(negative.GetProperty("errors").TryGetProperty("contractsSigned", out _));
        var tooMany = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("超员厂", "91511921MA6A000009", GridTree.VillageA1, headcount: 10, signed: 11))).ProblemAsync(400);
        Assert.True(tooMany.GetProperty("errors").TryGetProperty("contractsSigned", out _));
        var unknownGrid = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("无网格厂", "91511921MA6A000009", "nowhere"))).ProblemAsync(400);
        Assert.True(unknownGrid.GetProperty("errors").TryGetProperty("gridId", out _));
        var duplicate = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("重复厂", "91511921MA6A000001", GridTree.VillageA1))).ProblemAsync(400);
        Assert.True(duplicate.GetProperty("errors").TryGetProperty("subjectId", out _));

        // Another township's grid: the coordinator may not file there.
        var foreign = await (await coordinator.PostJsonAsync("/api/labor/v1/employers", Employer("外乡厂", "91511921MA6A000009", GridTree.VillageB1))).ProblemAsync(403);
        Assert.Equal("grid", foreign.GetProperty("claim").GetString());

        // Wrong role for the step: a coordinator may not import or delete, an inspector of another domain nothing.
        Assert.Equal("role", (await (await coordinator.DeleteAsync($"/api/labor/v1/employers/{id}")).ProblemAsync(403)).GetProperty("claim").GetString());
        var fire = host.CreateClient(TestTokens.Create("fire-1", ["fire-supervisor"], ["fire"], ["*"]));
        Assert.Equal("domain", (await (await fire.GetAsync("/api/labor/v1/employers")).ProblemAsync(403)).GetProperty("claim").GetString());

        // A record for an unknown employer, and a record without a kind.
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        await (await office.PostJsonAsync($"/api/labor/v1/employers/{Guid.NewGuid()}/records", new { kind = "Complaint", summary = "x" })).ProblemAsync(404);
        var noKind = await (await office.PostJsonAsync($"/api/labor/v1/employers/{id}/records", new { summary = "x" })).ProblemAsync(400);
        Assert.True(noKind.GetProperty("errors").TryGetProperty("kind", out _));

        Assert.Equal(1, await host.CountAsync("labor.employers"));
        Assert.Equal(0, await host.CountAsync("labor.compliance_records"));

        // The one that was written is still as filed.
        Assert.Equal("宏达制衣厂", (await (await office.GetAsync($"/api/labor/v1/employers/{id}")).OkJsonAsync()).GetProperty("name").GetString());
    }

    private static HttpContent Csv(string text) => new StringContent(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task An_import_writes_every_row_or_none_and_names_the_bad_row()
    {
        await using var host = await LaborHost.StartAsync();
        var office = host.As("office-a", LaborRoles.Office, GridTree.TownA);
        const string header = "name,kind,subjectId,gridId,address,legalRepresentative,headcount,contractsSigned,insuranceEnrolled,wagesPaidThrough\n";

        var bad = await (await office.PostAsync("/api/labor/v1/employers/import", Csv(header +
            $"甲厂,Company,91511921MA6B000001,{GridTree.VillageA1},一号路,甲,12,12,12,2026-10\n" +
            $"乙厂,Company,91511921MA6B000002,{GridTree.VillageA2},二号路,乙,-3,0,0,2026-10\n" +
            $"丙厂,Company,91511921MA6B000003,{GridTree.VillageB1},三号路,丙,5,5,5,2026-10\n" +
            $"丁厂,Company,91511921MA6B000001,{GridTree.VillageA1},四号路,丁,5,5,5,2026-10\n"))).ProblemAsync(400);
        var rows = bad.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("field").GetString())).ToList();
        Assert.Contains((3, "headcount"), rows);
        Assert.Contains((4, "gridId"), rows); // another township
        Assert.Contains((5, "subjectId"), rows); // twice in the file
        Assert.DoesNotContain(rows, r => r.Item1 == 2);
        Assert.Equal(0, await host.CountAsync("labor.employers"));

        // The same sheet put right, as XLSX with the ledger's Chinese headers.
        var sheet = new MemoryStream();
        sheet.SaveAs(new[]
        {
            new Dictionary<string, object> { ["单位名称"] = "甲厂", ["单位类型"] = "企业", ["统一社会信用代码"] = "91511921MA6B000001", ["网格"] = GridTree.VillageA1, ["地址"] = "一号路", ["法定代表人"] = "甲", ["用工人数"] = 12, ["已签合同人数"] = 12, ["参保人数"] = 12, ["工资发放至"] = "2026-10" },
            new Dictionary<string, object> { ["单位名称"] = "乙厂", ["单位类型"] = "个体工商户", ["统一社会信用代码"] = "91511921MA6B000002", ["网格"] = GridTree.VillageA2, ["地址"] = "二号路", ["法定代表人"] = "乙", ["用工人数"] = 3, ["已签合同人数"] = 1, ["参保人数"] = 0, ["工资发放至"] = "2026-08" },
        });
        var xlsx = new ByteArrayContent(sheet.ToArray());
        xlsx.Headers.ContentType = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var done = await (await office.PostAsync("/api/labor/v1/employers/import", xlsx)).OkJsonAsync();
        Assert.Equal(2, done.GetProperty("created").GetInt32());

        var list = await (await office.GetAsync("/api/labor/v1/employers?risk=High")).OkJsonAsync();
        var high = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("乙厂", high.GetProperty("name").GetString());
        Assert.Equal("IndividualBusiness", high.GetProperty("kind").GetString());
        Assert.Equal(1, await host.CountAsync("labor.employers", "\"Risk\" = 'Low'"));

        // Re-imported the next month: the same subject is updated, not filed twice.
        var again = await (await office.PostAsync("/api/labor/v1/employers/import", Csv(header +
            $"乙厂,IndividualBusiness,91511921MA6B000002,{GridTree.VillageA2},二号路,乙,3,3,3,2026-10\n"))).OkJsonAsync();
        Assert.Equal(1, again.GetProperty("updated").GetInt32());
        Assert.Equal(2, await host.CountAsync("labor.employers"));
        Assert.Equal(2, await host.CountAsync("labor.employers", "\"Risk\" = 'Low'"));
    }
}
