using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Testing;

namespace Grid.EndToEnd;

/// <summary>What department systems do with cases through the gateway: report, take steps, read, and who in the demo cast may.</summary>
public static class Cases
{
    /// <summary>A point inside the user's own comprehensive grid: its boundary as the county's administrator sees it, the middle of its box.</summary>
    public static async Task<(double Longitude, double Latitude)> PositionInAsync(AssembledSuite suite, DemoUser finder)
    {
        using var admin = await DemoUser.LogInAsync(suite, "county-admin");
        foreach (var grid in finder.GridsIn("comprehensive"))
        {
            var view = await ReadAsync(await admin.Http.GetAsync($"/api/org/v1/grids/{grid}"), $"grid {grid}");
            if (view.GetProperty("hierarchy").GetString() != "comprehensive")
            {
                continue;
            }

            var points = Flatten(view.GetProperty("boundary")).ToList();
            return ((points.Min(p => p.X) + points.Max(p => p.X)) / 2, (points.Min(p => p.Y) + points.Max(p => p.Y)) / 2);
        }

        throw new InvalidOperationException($"{finder} holds no comprehensive grid");
    }

    private static IEnumerable<(double X, double Y)> Flatten(JsonElement geo)
    {
        var coords = geo.ValueKind == JsonValueKind.String ? JsonDocument.Parse(geo.GetString()!).RootElement.GetProperty("coordinates") : geo.GetProperty("coordinates");
        return Points(coords);

        static IEnumerable<(double X, double Y)> Points(JsonElement e) =>
            e[0].ValueKind == JsonValueKind.Number ? [(e[0].GetDouble(), e[1].GetDouble())] : e.EnumerateArray().SelectMany(Points);
    }

    /// <summary>A fire hazard reported by position (综合网格员 → fire): the created case.</summary>
    public static async Task<JsonElement> ReportFireHazardAsync(DemoUser finder, (double Longitude, double Latitude) at, string title, string? idempotencyKey = null)
    {
        using var request = FireReport(at, title, idempotencyKey);
        using var resp = await finder.Http.SendAsync(request);
        Assert.True(resp.StatusCode == HttpStatusCode.Created, $"report: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync()}");
        return await ReadAsync(resp, "report");
    }

    /// <summary>The request of a fire hazard report by position; <paramref name="category"/> and <paramref name="severity"/> as a finder picks them.</summary>
    public static HttpRequestMessage FireReport((double Longitude, double Latitude) at, string title, string? idempotencyKey,
        string category = "electricity", string severity = "general")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/fire/v1/cases")
        {
            Content = JsonContent.Create(new
            {
                category,
                severity,
                title,
                description = "楼道内私拉电线给电动车充电",
                source = "patrol",
                longitude = at.Longitude,
                latitude = at.Latitude,
            }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    /// <summary>One step of the life cycle (accept, dispatch, start, handle, verify, close, transfer, ...): the case after it.</summary>
    public static async Task<JsonElement> StepAsync(DemoUser user, string domain, string caseId, string action, object? body = null)
    {
        using var resp = await user.Http.PostAsJsonAsync($"/api/{domain}/v1/cases/{caseId}/{action}", body ?? new { });
        return await ReadAsync(resp, $"{action} by {user.UserName}");
    }

    public static async Task<JsonElement> GetAsync(DemoUser user, string domain, string caseId) =>
        await ReadAsync(await user.Http.GetAsync($"/api/{domain}/v1/cases/{caseId}"), $"case {caseId}");

    /// <summary>Waits until the case, read by this user, satisfies the condition; returns it.</summary>
    public static async Task<JsonElement> WaitForAsync(DemoUser user, string domain, string caseId, Func<JsonElement, bool> condition, string what)
    {
        JsonElement last = default;
        await Wait.UntilAsync(async () => condition(last = await GetAsync(user, domain, caseId)), TimeSpan.FromSeconds(60), what);
        return last;
    }

    /// <summary>
    /// Waits until the command centre's boards show the case in this state. A test that leaves cases behind ends with
    /// this for each, so that the next test's counts start from a settled read model.
    /// </summary>
    public static async Task SeenByCommandCentreAsync(DemoUser commander, string domain, JsonElement theCase, string state)
    {
        var id = theCase.GetProperty("id").GetString()!;
        var grid = GridPath(theCase)[^1];
        await Wait.UntilAsync(async () =>
        {
            var page = await ReadAsync(await commander.Http.GetAsync($"/api/command/v1/cases?domain={domain}&grid={grid}&board=all&limit=200"), "command centre cases");
            return page.GetProperty("items").EnumerateArray().Any(c => c.GetProperty("caseId").GetString() == id && c.GetProperty("state").GetString() == state);
        }, TimeSpan.FromSeconds(60), $"the command centre to show {domain} case {id} {state}");
    }

    public static string[] GridPath(JsonElement c) => c.GetProperty("gridPath").EnumerateArray().Select(g => g.GetString()!).ToArray();

    /// <summary>The demo log-in holding a role of the domain over the case's grid path; fails naming everyone when the demo cast has none.</summary>
    public static DemoUser Holder(IReadOnlyList<DemoUser> everyone, string domain, string role, IEnumerable<string> gridPath)
    {
        var path = gridPath.ToList();
        return everyone.FirstOrDefault(u => u.Holds(role, domain, path))
            ?? throw new Xunit.Sdk.XunitException($"no demo log-in is a {domain} {role} over {string.Join("/", path)}; the demo cast: {string.Join("; ", everyone)}");
    }

    /// <summary>The demo log-in with the role who can read the case (a case opened by the system, whose grid the caller does not know yet).</summary>
    public static async Task<(DemoUser User, JsonElement Case)> HolderOfAsync(IReadOnlyList<DemoUser> everyone, string domain, string role, string caseId)
    {
        foreach (var u in everyone.Where(u => u.Holds(role, domain)))
        {
            using var resp = await u.Http.GetAsync($"/api/{domain}/v1/cases/{caseId}");
            if (resp.IsSuccessStatusCode)
            {
                return (u, JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement.Clone());
            }
        }

        throw new Xunit.Sdk.XunitException($"no demo log-in is a {domain} {role} who can read case {caseId}; the demo cast: {string.Join("; ", everyone)}");
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage resp, string what)
    {
        using (resp)
        {
            var body = await resp.Content.ReadAsStringAsync();
            Assert.True(resp.IsSuccessStatusCode, $"{what}: {(int)resp.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }
}
