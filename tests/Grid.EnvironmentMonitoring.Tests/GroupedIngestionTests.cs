using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.EnvironmentMonitoring.Infrastructure;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Tests;

/// <summary>
/// Batches of concurrent callers stored together (ReadingWriter over GroupCommitter), against a real database. One
/// writer; a first batch held at its station's advisory lock keeps it busy while the others queue, so that these
/// form one group once the lock is let go.
/// </summary>
public class GroupedIngestionTests
{
    private static readonly object[] CodInstant100 = [new { pollutant = "COD", kind = "Instant", limit = 100.0 }];
    private static readonly Dictionary<string, string?> OneWriter = new() { ["Environment:Readings:IngestWriters"] = "1" };
    private static readonly string[] Grouped = ["G-1", "G-2", "G-3"];

    private static DateTimeOffset Minute(int m) => new DateTimeOffset(DateTimeOffset.UtcNow.AddHours(-3).UtcDateTime.Date, TimeSpan.Zero).AddHours(DateTimeOffset.UtcNow.AddHours(-3).Hour).AddMinutes(m);

    private static object[] Rows(string station, int count, int from = 0, double value = 40) =>
        Enumerable.Range(from, count).Select(m => EnvironmentHost.Row(station, "COD", value, "mg/L", Minute(m))).ToArray();

    [Fact]
    public async Task Concurrent_batches_are_committed_together_and_each_caller_gets_its_own_answer()
    {
        await using var host = await StartAsync();
        var client = host.StationClient();
        // G-2 has minute -1 already: its batch brings one duplicate, so the group goes the careful way (staging).
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/environment/v1/readings:batch", Rows("G-2", 1, from: -1))).StatusCode);

        var (first, batches) = await QueueBehindHeldBatchAsync(host, client, [Rows("G-1", 3), Rows("G-2", 3, from: -1), Rows("G-3", 5, value: 150)]);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        var answers = await Task.WhenAll(batches.Select(async b => await (await b).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal([3, 2, 5], answers.Select(a => a.GetProperty("stored").GetInt32()));
        Assert.Equal([0, 1, 0], answers.Select(a => a.GetProperty("duplicates").GetInt32()));
        // G-3's 150 > 100 opens one episode, told to G-3's caller only.
        Assert.Equal([0, 0, 1], answers.Select(a => a.GetProperty("episodesOpened").GetInt32()));

        // One transaction wrote the three batches (one xmin), not the held one's.
        Assert.Equal(1, await host.CountAsync("SELECT count(DISTINCT xmin::text) FROM environment.readings WHERE station_id = ANY(@Grouped) AND time >= @t", new { Grouped, t = Minute(0).UtcDateTime }));
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.readings a JOIN environment.readings b ON a.xmin::text = b.xmin::text WHERE a.station_id = 'G-0' AND b.station_id = ANY(@Grouped)", new { Grouped }));
        Assert.Equal(10, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = ANY(@Grouped) AND time >= @t", new { Grouped, t = Minute(0).UtcDateTime }));
    }

    [Fact]
    public async Task A_row_sent_by_two_batches_of_a_group_is_stored_once_as_the_first_sent_it()
    {
        await using var host = await StartAsync();
        var client = host.StationClient();

        // The same two minutes of G-1 in both batches, with other values in the second: the group's plain insert fails
        // on the key and the rows go the careful way. Which of the two was queued first is up to the race of the posts.
        var (first, batches) = await QueueBehindHeldBatchAsync(host, client, [Rows("G-1", 2, value: 40), Rows("G-1", 2, value: 41), Rows("G-2", 1)]);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        var answers = await Task.WhenAll(batches.Select(async b => await (await b).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()));
        var stored = answers.Select(a => a.GetProperty("stored").GetInt32()).ToArray();
        Assert.Equal([0, 2], stored[..2].Order());
        Assert.Equal(1, stored[2]);
        Assert.Equal(stored.Select(s => 2 - s).Take(2), answers.Take(2).Select(a => a.GetProperty("duplicates").GetInt32()));
        // The values stored are those of the batch told its rows were stored.
        var kept = stored[0] == 2 ? 40 : 41;
        Assert.Equal(2, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = 'G-1' AND value = @kept", new { kept = (double)kept }));
        Assert.Equal(2, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = 'G-1'"));
        // One transaction still: the careful way is taken inside the group's, not batch by batch.
        Assert.Equal(1, await host.CountAsync("SELECT count(DISTINCT xmin::text) FROM environment.readings WHERE station_id IN ('G-1', 'G-2')"));
    }

    [Fact]
    public async Task A_batch_the_database_refuses_fails_alone_and_the_rest_of_its_group_is_stored()
    {
        await using var host = await StartAsync();
        // Only the database can tell this batch is bad: the value passes every check of the service.
        await host.CountAsync("""
            CREATE FUNCTION refuse_666() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.value = 666.25 THEN RAISE EXCEPTION 'refused by the database'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_666 BEFORE INSERT ON environment.readings FOR EACH ROW EXECUTE FUNCTION refuse_666();
            SELECT 0::bigint;
            """);
        var client = host.StationClient();

        var (first, batches) = await QueueBehindHeldBatchAsync(host, client, [Rows("G-1", 3), Rows("G-2", 2, value: 666.25), Rows("G-3", 4)]);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        var responses = await Task.WhenAll(batches);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.OK], responses.Select(r => r.StatusCode));
        Assert.Equal("application/problem+json", responses[1].Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = 'G-1'"));
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = 'G-2'"));
        Assert.Equal(4, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = 'G-3'"));
    }

    [Fact]
    public async Task Nothing_of_a_group_is_visible_before_its_commit()
    {
        await using var host = await StartAsync();
        var client = host.StationClient();
        // A session holding G-3's station row: the group copies its readings, then waits at the station update.
        await using var blocker = new NpgsqlConnection(host.Database);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM environment.stations WHERE id = 'G-3' FOR UPDATE", blocker, hold))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var (first, batches) = await QueueBehindHeldBatchAsync(host, client, [Rows("G-1", 3), Rows("G-2", 2), Rows("G-3", 4)]);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        await Wait.UntilAsync(async () => await host.CountAsync("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE environment.stations%'
            """) == 1, TimeSpan.FromSeconds(30), "the group to wait at the station update, its readings copied");
        // The COPY has run in the group's transaction (it holds readings' row-exclusive lock), yet nothing shows.
        Assert.Equal(1, await host.CountAsync("""
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = 'environment.readings'::regclass AND l.mode = 'RowExclusiveLock' AND a.query LIKE '%UPDATE environment.stations%'
            """));
        Assert.Equal(0, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = ANY(@Grouped)", new { Grouped }));
        Assert.All(batches, b => Assert.False(b.IsCompleted));

        await hold.RollbackAsync();
        Assert.All(await Task.WhenAll(batches), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(9, await host.CountAsync("SELECT count(*) FROM environment.readings WHERE station_id = ANY(@Grouped)", new { Grouped }));
    }

    private static async Task<EnvironmentHost> StartAsync()
    {
        var host = await EnvironmentHost.StartAsync(settings: OneWriter);
        foreach (var s in new[] { "G-0", "G-1", "G-2", "G-3" })
        {
            await host.AddStationAsync(s, GridTree.VillageA1, CodInstant100);
        }

        return host;
    }

    /// <summary>
    /// Sends one batch for G-0 while a session holds G-0's advisory lock, so the one writer waits in it; sends the
    /// given batches, waits until all are queued, and lets the lock go: they are then written as one group.
    /// </summary>
    private static async Task<(Task<HttpResponseMessage> First, Task<HttpResponseMessage>[] Batches)> QueueBehindHeldBatchAsync(
        EnvironmentHost host, HttpClient client, object[][] batches)
    {
        var writer = host.Services.GetRequiredService<ReadingWriter>();
        await using var holder = new NpgsqlConnection(host.Database);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('G-0'))", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var first = client.PostAsJsonAsync("/api/environment/v1/readings:batch", Rows("G-0", 1));
        await Wait.UntilAsync(async () => await host.CountAsync("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'
            """) == 1, TimeSpan.FromSeconds(30), "the writer to wait for G-0's lock");
        var sent = batches.Select(b => client.PostAsJsonAsync("/api/environment/v1/readings:batch", b)).ToArray();
        await Wait.UntilAsync(() => Task.FromResult(writer.Queued == batches.Length), TimeSpan.FromSeconds(30), "the batches to queue behind the busy writer");
        await using (var let = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('G-0'))", holder))
        {
            await let.ExecuteNonQueryAsync();
        }

        return (first, sent);
    }
}
