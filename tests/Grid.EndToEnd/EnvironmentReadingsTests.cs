using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.EndToEnd;

/// <summary>
/// Readings through the gateway into the environment service's grouped storage, beside the demo's simulated stations:
/// stored once, a resent batch stored as duplicates, a batch with one bad row refused whole naming the row, and the
/// rows read back by the county's bureau; pushing is the stations' and the administrator's alone.
/// </summary>
[Collection(SuiteCollection.Name)]
public class EnvironmentReadingsTests(AssembledSuite suite)
{
    [Fact]
    public async Task Readings_pushed_through_the_gateway_are_stored_once_and_read_back_and_a_bad_row_refuses_its_batch()
    {
        using var admin = new HttpClient { BaseAddress = suite.Gateway };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            JsonDocument.Parse(await DemoUser.TokenAsync(suite, new { grant_type = "password", username = "admin", password = suite.AdministratorPassword() }, "administrator"))
                .RootElement.GetProperty("access_token").GetString());

        // Half a second past a whole second: the simulated stations read on whole seconds, so none of theirs is one of these.
        var now = DateTime.UtcNow.Ticks;
        var at = new DateTimeOffset(now - now % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-3).AddSeconds(17.5);
        object Row(double value, DateTimeOffset time) => new { station = "DEMO-01", pollutant = "COD", value, unit = "mg/L", time };
        var batch = new[] { Row(41.5, at), Row(43.25, at.AddMinutes(1)) };

        var first = await admin.PostAsJsonAsync("/api/environment/v1/readings:batch", batch);
        Assert.True(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync());
        Assert.Equal(2, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt32());

        var again = await (await admin.PostAsJsonAsync("/api/environment/v1/readings:batch", batch)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("stored").GetInt32());
        Assert.Equal(2, again.GetProperty("duplicates").GetInt32());

        var bad = await admin.PostAsJsonAsync("/api/environment/v1/readings:batch", new[] { Row(44.75, at.AddMinutes(2)), Row(45, DateTimeOffset.MinValue) });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("[1].time", out _));

        var everyone = await suite.DemoUsersAsync();
        var bureau = everyone.Single(u => u.UserName == "env-county");
        var range = $"from={Uri.EscapeDataString(at.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(at.AddMinutes(3).ToString("O"))}";
        var stored = await bureau.Http.GetFromJsonAsync<JsonElement[]>($"/api/environment/v1/stations/DEMO-01/readings?pollutant=COD&{range}");
        var ours = stored!.Where(r => r.GetProperty("time").GetDateTimeOffset() is var t && (t == at || t == at.AddMinutes(1)))
            .Select(r => r.GetProperty("value").GetDouble()).ToList();
        Assert.Equal([41.5, 43.25], ours);

        var worker = everyone.Single(u => u.UserName == "worker01");
        using var refused = await worker.Http.PostAsJsonAsync("/api/environment/v1/readings:batch", batch);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
