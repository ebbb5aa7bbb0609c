using System.Net.Http.Json;
using System.Text.Json;
using Grid.Testing;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>Rules over HTTP: one case per episode, late readings judged in time order, duplicates harmless.</summary>
public class ExceedanceEpisodeTests
{
    [Fact]
    public async Task Each_episode_opens_one_case_and_late_readings_are_judged_in_time_order()
    {
        await using var host = await EnvironmentHost.StartAsync(settings: new() { ["Environment:Rules:ClearAfterMinutes"] = "30" });
        var (_, _, st) = await host.AddStationAsync("ST-E", GridTree.VillageA1,
            new { pollutant = "COD", kind = "Instant", limit = 100.0 },
            new { pollutant = "NH3N", kind = "RollingAverage", limit = 5.0, windowMinutes = 15 },
            new { pollutant = "TP", kind = "Consecutive", limit = 0.5, consecutiveCount = 3 });
        var client = host.StationClient();
        var now = DateTimeOffset.UtcNow;
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-8);
        object R(string p, int minute, double v) => EnvironmentHost.Row(st, p, v, p == "PH" ? "pH" : "mg/L", t0.AddMinutes(minute));
        async Task<JsonElement> Push(params object[] rows)
        {
            var r = await client.PostAsJsonAsync("/api/environment/v1/readings:batch", rows);
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            return await r.Content.ReadFromJsonAsync<JsonElement>();
        }

        Task<long> Episodes(string p) => host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE pollutant = @p", new { p });

        // COD, instant, limit 100, clearing 30 min, a reading every 5 min:
        //  batch 1: m0 80, m5 120 (breach → episode 1 starts at m5), m10 130.
        await Push(R("COD", 0, 80), R("COD", 5, 120), R("COD", 10, 130));
        Assert.Equal(1, await Episodes("COD"));
        //  batch 2: m15 90, m20 95 (clear since m15, 5 min < 30), m25 140 (breach again: still episode 1), m30 90.
        await Push(R("COD", 15, 90), R("COD", 20, 95), R("COD", 25, 140), R("COD", 30, 90));
        Assert.Equal(1, await Episodes("COD"));
        //  batch 3: m35..m70 all 90: clear since m30; at m60, 60 − 30 = 30 ≥ 30 → episode 1 ends at m30.
        await Push(Enumerable.Range(7, 8).Select(i => R("COD", i * 5, 90)).ToArray());
        Assert.Equal(1, await Episodes("COD"));
        Assert.Equal(1, await host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE pollutant = 'COD' AND ended_at IS NOT NULL"));
        //  batch 4: m75 150 → episode 2. Resending batch 2 (duplicates) changes nothing.
        await Push(R("COD", 75, 150));
        var resent = await Push(R("COD", 15, 90), R("COD", 20, 95), R("COD", 25, 140), R("COD", 30, 90));
        Assert.Equal(0, resent.GetProperty("stored").GetInt32());
        Assert.Equal(2, await Episodes("COD"));

        // NH3N, mean over (t − 15 min, t], limit 5: m0 4 → 4; m5 4 → (4+4)/2 = 4; m10 8 → (4+4+8)/3 = 5.33 > 5 breach;
        // m15 2 → (4+8+2)/3 = 4.67 (m0 dropped) no. One episode, starting at m10.
        await Push(R("NH3N", 0, 4), R("NH3N", 5, 4), R("NH3N", 10, 8), R("NH3N", 15, 2));
        Assert.Equal(1, await Episodes("NH3N"));
        Assert.Equal(t0.AddMinutes(10), await StartOf(host, "NH3N"));

        // TP, 3 in a row > 0.5: m0 0.8, m5 0.9, m15 0.2 → runs 1, 2, 0: nothing. The late m10 0.7 arrives after m15:
        // in time order m0, m5, m10 are 3 in a row → breach at m10. Judged by time, not by arrival.
        await Push(R("TP", 0, 0.8), R("TP", 5, 0.9), R("TP", 15, 0.2));
        Assert.Equal(0, await Episodes("TP"));
        await Push(R("TP", 10, 0.7));
        Assert.Equal(1, await Episodes("TP"));
        Assert.Equal(t0.AddMinutes(10), await StartOf(host, "TP"));

        // One case per episode in the shared case life cycle (2 COD + 1 NH3N + 1 TP), each tied to its episode —
        // opened just after the batch is answered, so watched for.
        await Wait.UntilAsync(async () => await host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE case_id IS NULL") == 0,
            TimeSpan.FromSeconds(20), "a case for every episode");
        Assert.Equal(4, await host.CountAsync("SELECT count(*) FROM casework.cases WHERE category = 'exceedance' AND source = 'sensor'"));
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE case_id IS NULL"));
        Assert.Equal(4, await host.CountAsync("SELECT count(DISTINCT case_id) FROM environment.exceedance_episodes"));

        // The source's file now shows it was first found by a sensor (a criticism trigger for its township).
        var triggers = await host.Admin().GetFromJsonAsync<JsonElement>($"/api/environment/v1/criticism-triggers?grid={GridTree.TownA}&period={DateTimeOffset.UtcNow:yyyy-MM}");
        var notFoundFirst = triggers.GetProperty("triggers").EnumerateArray().Single(t => t.GetProperty("code").GetString() == "not-found-first");
        Assert.Equal(1, notFoundFirst.GetProperty("count").GetInt32());
    }

    private static async Task<DateTimeOffset> StartOf(EnvironmentHost host, string pollutant)
    {
        await using var conn = new Npgsql.NpgsqlConnection(host.Database);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT started_at FROM environment.exceedance_episodes WHERE pollutant = $1", conn);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = pollutant });
        return new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    [Fact]
    public async Task A_replica_judges_a_station_from_every_replicas_readings_not_only_its_own()
    {
        // Each replica holds the recent readings of the stations it stored; a batch stored by another replica in
        // between must make it read them back. TP, 3 in a row > 0.5: m0 through A, m5 through B, m10 through A
        // again. Judged from A's memory alone (m0, m10) there would be no run of 3; from the database there is.
        await using var a = await EnvironmentHost.StartAsync();
        await using var b = await EnvironmentHost.StartAsync(replicaOf: a);
        var (_, _, st) = await a.AddStationAsync("ST-R", GridTree.VillageA1, new { pollutant = "TP", kind = "Consecutive", limit = 0.5, consecutiveCount = 3 });
        var t0 = DateTimeOffset.UtcNow.AddHours(-3);
        async Task Push(EnvironmentHost via, int minute, double value)
        {
            var r = await via.StationClient().PostAsJsonAsync("/api/environment/v1/readings:batch", new[] { EnvironmentHost.Row(st, "TP", value, "mg/L", t0.AddMinutes(minute)) });
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }

        await Push(a, 0, 0.8);
        await Push(b, 5, 0.9);
        await Push(a, 10, 0.7);
        Assert.Equal(1, await a.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE station_id = @st", new { st }));
        Assert.Equal(3, await a.CountAsync("SELECT ingest_generation FROM environment.stations WHERE id = @st", new { st }));

        // Alternating: m15 0.2 breaks the run; m20, m25, m30 over the limit make the next run of 3, a breach at m30
        // within the clearing time of m10, so the same episode goes on — seen only with B's m25 among A's.
        await Push(b, 15, 0.2);
        await Push(a, 20, 0.9);
        await Push(b, 25, 0.9);
        await Push(a, 30, 0.9);
        Assert.Equal(1, await a.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE station_id = @st", new { st }));
        Assert.Equal(1, await a.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE station_id = @st AND last_breach_at = @t", new { st, t = t0.AddMinutes(30).UtcDateTime }));
    }

    [Fact]
    public async Task A_limit_changed_in_the_register_is_judged_from_the_next_batch_on()
    {
        // Ingestion holds each discharge point's rules; a change to them must reach the next batch. COD, instant, limit
        // 100: m0 80 and m5 90 comply. Tightened to 50 in the register, m10 60 is a breach, and so are the two before.
        await using var host = await EnvironmentHost.StartAsync();
        var (_, point, st) = await host.AddStationAsync("ST-L", GridTree.VillageA1, new { pollutant = "COD", kind = "Instant", limit = 100.0 });
        // Whole seconds: the database keeps microseconds, and the start is compared exactly.
        var t0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(-2);
        async Task Push(int minute, double value)
        {
            var r = await host.StationClient().PostAsJsonAsync("/api/environment/v1/readings:batch", new[] { EnvironmentHost.Row(st, "COD", value, "mg/L", t0.AddMinutes(minute)) });
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }

        Task<long> Episodes() => host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE station_id = @st", new { st });

        await Push(0, 80);
        await Push(5, 90);
        Assert.Equal(0, await Episodes());
        Assert.Equal(1, await host.CountAsync("""
            WITH u AS (UPDATE environment.limit_rules SET limit_value = 50 WHERE discharge_point_id = @point RETURNING 1) SELECT count(*) FROM u
            """, new { point }));
        await Push(10, 60);
        Assert.Equal(1, await Episodes());
        // The whole stretch judged again under the new limit: the episode runs from m0 with the peak of m5.
        Assert.Equal(1, await host.CountAsync("SELECT count(*) FROM environment.exceedance_episodes WHERE station_id = @st AND started_at = @t0 AND peak_value = 90",
            new { st, t0 = t0.UtcDateTime }));
    }
}
