using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grid.Testing;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>Online monitoring over HTTP against a real database: storage, duplicates, late readings, refusals.</summary>
public class ReadingIngestionTests
{
    private static readonly object[] CodInstant100 = [new { pollutant = "COD", kind = "Instant", limit = 100.0 }];

    private static DateTimeOffset Minute(int m) => DateTimeOffset.UtcNow.AddHours(-3).Date.AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour) is var d
        ? new DateTimeOffset(d, TimeSpan.Zero).AddMinutes(m) : default;

    [Fact]
    public async Task A_batch_is_stored_queryable_and_resending_it_changes_nothing()
    {
        await using var host = await EnvironmentHost.StartAsync();
        var (_, _, station) = await host.AddStationAsync("ST-A", GridTree.VillageA1, CodInstant100);
        var client = host.StationClient();
        var batch = new[]
        {
            EnvironmentHost.Row(station, "COD", 40, "mg/L", Minute(0)),
            EnvironmentHost.Row(station, "COD", 42, "mg/L", Minute(1)),
            EnvironmentHost.Row(station, "NH3N", 2.5, "mg/L", Minute(1)),
        };

        var first = await (await client.PostAsJsonAsync("/api/environment/v1/readings:batch", batch)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, first.GetProperty("stored").GetInt32());

        var again = await client.PostAsJsonAsync("/api/environment/v1/readings:batch", batch);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, second.GetProperty("stored").GetInt32());
        Assert.Equal(3, second.GetProperty("duplicates").GetInt32());
        Assert.Equal(3, await host.CountAsync("SELECT count(*) FROM environment.readings"));

        // A late reading (older than those seen) is stored too, and the query returns all in time order.
        var late = await client.PostAsJsonAsync("/api/environment/v1/readings:batch", new[] { EnvironmentHost.Row(station, "COD", 39, "mg/L", Minute(-5)) });
        Assert.Equal(1, (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt32());
        var q = await host.Admin().GetFromJsonAsync<JsonElement[]>($"/api/environment/v1/stations/{station}/readings?pollutant=COD&from={Uri.EscapeDataString(Minute(-60).ToString("O"))}&to={Uri.EscapeDataString(Minute(60).ToString("O"))}");
        Assert.Equal([39.0, 40.0, 42.0], q!.Select(r => r.GetProperty("value").GetDouble()));

        // CSV works the same way, duplicates included.
        var csv = new StringContent($"station,pollutant,value,unit,time\n{station},COD,41,mg/L,{Minute(2):O}\n{station},COD,40,mg/L,{Minute(0):O}\n", Encoding.UTF8, "text/csv");
        var csvResult = await (await client.PostAsync("/api/environment/v1/readings:batch", csv)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, csvResult.GetProperty("stored").GetInt32());
        Assert.Equal(1, csvResult.GetProperty("duplicates").GetInt32());

        // New rows only, but one of them twice in the batch: stored once, the copy counted as a duplicate.
        var twice = await client.PostAsJsonAsync("/api/environment/v1/readings:batch", new[]
        {
            EnvironmentHost.Row(station, "COD", 43, "mg/L", Minute(3)),
            EnvironmentHost.Row(station, "COD", 43, "mg/L", Minute(3)),
            EnvironmentHost.Row(station, "COD", 44, "mg/L", Minute(4)),
        });
        var twiceResult = await twice.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, twiceResult.GetProperty("stored").GetInt32());
        Assert.Equal(1, twiceResult.GetProperty("duplicates").GetInt32());
        Assert.Equal(7, await host.CountAsync("SELECT count(*) FROM environment.readings"));
        Assert.Equal(1, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE time = '" + Minute(3).ToString("O") + "'"));
    }

    public static TheoryData<string, string, string> BadRows => new()
    {
        { "unknown station", """{"station":"NOPE","pollutant":"COD","value":1,"unit":"mg/L","time":"{t}"}""", "[1].station" },
        { "wrong unit", """{"station":"ST-R","pollutant":"COD","value":1,"unit":"mg/m3","time":"{t}"}""", "[1].unit" },
        { "NaN", """{"station":"ST-R","pollutant":"COD","value":"NaN","unit":"mg/L","time":"{t}"}""", "[1].value" },
        { "Infinity", """{"station":"ST-R","pollutant":"COD","value":"Infinity","unit":"mg/L","time":"{t}"}""", "[1].value" },
        { "future", """{"station":"ST-R","pollutant":"COD","value":1,"unit":"mg/L","time":"2099-01-01T00:00:00Z"}""", "[1].time" },
        { "time zero", """{"station":"ST-R","pollutant":"COD","value":1,"unit":"mg/L","time":"0001-01-01T00:00:00Z"}""", "[1].time" },
        { "unknown pollutant", """{"station":"ST-R","pollutant":"XX","value":1,"unit":"mg/L","time":"{t}"}""", "[1].pollutant" },
        { "missing value", """{"station":"ST-R","pollutant":"COD","unit":"mg/L","time":"{t}"}""", "[1].value" },
        { "not a number", """{"station":"ST-R","pollutant":"COD","value":{"x":1},"unit":"mg/L","time":"{t}"}""", "[1].value" },
    };

    [Fact]
    public async Task Malformed_batches_are_refused_whole_naming_row_and_field_and_nothing_is_stored()
    {
        await using var host = await EnvironmentHost.StartAsync();
        var (_, _, station) = await host.AddStationAsync("ST-R", GridTree.VillageA1, CodInstant100);
        var client = host.StationClient();
        var t = Minute(0).ToString("O");
        var good = $$"""{"station":"{{station}}","pollutant":"COD","value":500,"unit":"mg/L","time":"{{t}}"}""";
        foreach (var (name, bad, field) in BadRows.Select(r => ((string)r[0], (string)r[1], (string)r[2])))
        {
            var before = await host.CountAsync("SELECT count(*) FROM environment.readings");
            var body = new StringContent($"[{good},{bad.Replace("{t}", t)}]", Encoding.UTF8, "application/json");
            var response = await client.PostAsync("/api/environment/v1/readings:batch", body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{name}: expected {field} in {problem}");
            Assert.Equal(before, await host.CountAsync("SELECT count(*) FROM environment.readings"));
        }

        // The good row alone (value 500 > 100) would have opened an episode: none exists, nothing half-done.
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes"));
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.readings"));
    }

    [Fact]
    public async Task A_million_row_body_is_refused_with_413_and_nothing_stored()
    {
        await using var host = await EnvironmentHost.StartAsync();
        var (_, _, station) = await host.AddStationAsync("ST-M", GridTree.VillageA1, CodInstant100);
        var client = host.StationClient();
        var start = Minute(0).AddDays(-30);
        var sb = new StringBuilder("[");
        for (var i = 0; i < 1_000_000; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"station\":\"").Append(station).Append("\",\"pollutant\":\"COD\",\"value\":1,\"unit\":\"mg/L\",\"time\":\"")
                .Append(start.AddSeconds(i).ToString("O")).Append("\"}");
        }

        sb.Append(']');
        var response = await client.PostAsync("/api/environment/v1/readings:batch", new StringContent(sb.ToString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.readings"));

        // Under the byte limit but over the row limit: also 413, also nothing.
        await using var strict = await EnvironmentHost.StartAsync(settings: new() { ["Environment:Readings:MaxBatchRows"] = "10" });
        await strict.AddStationAsync("ST-M", GridTree.VillageA1, CodInstant100);
        var rows = Enumerable.Range(0, 11).Select(i => EnvironmentHost.Row("ST-M", "COD", 1, "mg/L", start.AddMinutes(i))).ToArray();
        var tooMany = await strict.StationClient().PostAsJsonAsync("/api/environment/v1/readings:batch", rows);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Equal(0, await strict.CountAsync("SELECT count(*) FROM environment.readings"));
    }

    [Fact]
    public async Task Pushing_needs_the_station_role_the_domain_and_the_grid_scope()
    {
        await using var host = await EnvironmentHost.StartAsync();
        var (_, _, station) = await host.AddStationAsync("ST-S", GridTree.VillageA1, CodInstant100);
        var rows = new[] { EnvironmentHost.Row(station, "COD", 1, "mg/L", Minute(0)) };
        var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/environment/v1/readings:batch", rows)).StatusCode);
        var worker = host.CreateClient(Grid.Testing.TestTokens.Create("w", ["grid-worker"], ["environment"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await worker.PostAsJsonAsync("/api/environment/v1/readings:batch", rows)).StatusCode);
        var fireStation = host.CreateClient(Grid.Testing.TestTokens.Create("s", ["station"], ["fire"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await fireStation.PostAsJsonAsync("/api/environment/v1/readings:batch", rows)).StatusCode);
        var otherTown = host.StationClient(GridTree.TownB);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherTown.PostAsJsonAsync("/api/environment/v1/readings:batch", rows)).StatusCode);
        var ownTown = host.StationClient(GridTree.TownA);
        Assert.Equal(HttpStatusCode.OK, (await ownTown.PostAsJsonAsync("/api/environment/v1/readings:batch", rows)).StatusCode);
        Assert.Equal(1, await host.CountAsync("SELECT count(*) FROM environment.readings"));

        // The township's environment officer (环保专干, as the organization service names the post) reads, within scope; pushing is not theirs.
        var officer = host.CreateClient(Grid.Testing.TestTokens.Create("o", ["environment-officer"], ["environment"], [GridTree.TownA]));
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/environment/v1/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync("/api/environment/v1/readings:batch", rows)).StatusCode);

        // The OpenAPI document is anonymous.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
