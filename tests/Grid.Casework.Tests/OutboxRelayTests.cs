using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Grid.Contracts.Events;
using Grid.Messaging;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RabbitMQ.Client;

namespace Grid.Casework.Tests;

/// <summary>
/// The relay on a real database and broker: a slow transaction's event is not left behind, a case's events keep their
/// order across the batches it reads ahead, and its lock is held for a poll only.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class OutboxRelayTests(CaseworkFixture fx)
{
    private static object Report() => new { category = "hazard", severity = "general", title = "堵塞消防通道", gridId = GridTree.VillageA1 };

    [Fact]
    public async Task An_event_committed_after_later_ones_goes_out_at_once_and_a_rolled_back_number_holds_nothing_up()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_floor");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_floor");
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address);
        var chief = host.Client(CaseworkHost.Chief());
        var relay = host.Services.GetRequiredService<OutboxRelay>();
        Task<long> Pending() => Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0");
        await host.ReportAsync(chief, Report());
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(20), "the first report's event published");

        // A slow transaction takes the next outbox number and stays open; another takes one and rolls back.
        const string copy = """
            INSERT INTO casework.outbox (event_id, event_type, case_id, payload)
            SELECT gen_random_uuid(), event_type, case_id, payload FROM casework.outbox WHERE event_type = 'CaseReported' LIMIT 1
            RETURNING seq
            """;
        await using var slow = new NpgsqlConnection(db);
        await slow.OpenAsync();
        await using var slowTx = await slow.BeginTransactionAsync();
        long slowSeq;
        await using (var cmd = new NpgsqlCommand(copy, slow, slowTx))
        {
            slowSeq = (long)(await cmd.ExecuteScalarAsync())!;
        }

        await using (var gone = new NpgsqlConnection(db))
        {
            await gone.OpenAsync();
            await using var goneTx = await gone.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand(copy, gone, goneTx);
            await cmd.ExecuteScalarAsync();
            await goneTx.RollbackAsync();
        }

        // Later reports commit and go out while the slow one is open; the mark stays below it.
        await host.ReportAsync(chief, Report());
        await host.ReportAsync(chief, Report());
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(20), "the later reports' events published");
        Assert.True(await Wait.ScalarAsync<long>(db, "SELECT max(seq) FROM casework.outbox") > slowSeq + 1);
        Assert.True(relay.LowWaterMark < slowSeq, $"mark {relay.LowWaterMark} passed the open transaction's number {slowSeq}");

        // Committed after them, the slow one goes out within a poll or two — not at the next full poll, 30 s on.
        await slowTx.CommitAsync();
        var clock = Stopwatch.StartNew();
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(25), "the slow transaction's event published");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"published after {clock.Elapsed.TotalSeconds:F1} s");

        // The rolled-back number held the mark for the gap timeout (5 s), then the mark passes every row.
        var last = await Wait.ScalarAsync<long>(db, "SELECT max(seq) FROM casework.outbox");
        await Wait.UntilAsync(() => Task.FromResult(relay.LowWaterMark >= last), TimeSpan.FromSeconds(20), "the mark past the rolled-back number");
    }

    [Fact]
    public async Task A_cases_event_that_fails_holds_back_its_later_ones_in_the_batches_read_ahead_while_the_other_cases_go_out_in_order()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_ahead");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_ahead");
        // Batches of ten: twelve cases' first events, then their second ones, then their third, make a case's events
        // fall in three batches, read while the ones before are still with the broker (rows 1–10, 11–20, 21–30, 31–36).
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address, configure: o => o.RelayBatchSize = 10);
        var exchange = EventTypes.ExchangeName(typeof(CaseReported));
        await using var broker = await new ConnectionFactory { Uri = new Uri(mq) }.CreateConnectionAsync();
        await using var ch = await broker.CreateChannelAsync();
        await ch.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await ch.QueueDeclareAsync("relay-order-probe", durable: true, exclusive: false, autoDelete: false);
        await ch.QueueBindAsync("relay-order-probe", exchange, "");

        // Events the relay cannot publish (a type it does not know): the first case's second (row 13, in the second batch;
        // its third is in the third) and the tenth case's first (row 10, in the first batch; its second is in the third).
        var cases = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            for (var k = 0; k < 3; k++)
            {
                for (var c = 0; c < cases.Length; c++)
                {
                    if ((c, k) is (0, 1) or (9, 0))
                    {
                        await using var poison = new NpgsqlCommand("INSERT INTO casework.outbox (event_id, event_type, case_id, payload) VALUES (gen_random_uuid(), 'NoSuchEvent', $1, '{}')", conn, tx);
                        poison.Parameters.Add(new NpgsqlParameter { Value = cases[c] });
                        await poison.ExecuteNonQueryAsync();
                        continue;
                    }

                    await Outbox.AddAsync(conn, tx, [new CaseReported
                    {
                        CaseId = cases[c], Domain = "fire", CaseNumber = $"{c}-{k}", Title = "顺序", Category = "hazard", Severity = "general",
                        GridId = GridTree.VillageA1, GridPath = [GridTree.VillageA1], OccurredAt = DateTimeOffset.UtcNow,
                    }]);
                }
            }

            await tx.CommitAsync();
        }

        // The ten other cases' three events each, and the first case's first: 31 in all.
        var received = new List<(Guid Case, string Number)>();
        await Wait.UntilAsync(async () =>
        {
            while (await ch.BasicGetAsync("relay-order-probe", autoAck: true) is { } got)
            {
                var message = JsonDocument.Parse(Encoding.UTF8.GetString(got.Body.Span)).RootElement.GetProperty("message");
                received.Add((message.GetProperty("caseId").GetGuid(), message.GetProperty("caseNumber").GetString()!));
            }

            return received.Count >= 31;
        }, TimeSpan.FromSeconds(60), "the other cases' events on the broker");

        foreach (var c in Enumerable.Range(1, cases.Length - 1).Where(c => c != 9))
        {
            Assert.Equal([$"{c}-0", $"{c}-1", $"{c}-2"], received.Where(r => r.Case == cases[c]).Select(r => r.Number));
        }

        // The other cases' third events went out after these two cases' later events were read, yet those stay back, never tried.
        Assert.Equal(["0-0"], received.Where(r => r.Case == cases[0]).Select(r => r.Number));
        Assert.DoesNotContain(received, r => r.Case == cases[9]);
        Assert.Equal(3L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE case_id = ANY($1) AND state = 0 AND event_type = 'CaseReported'", new[] { cases[0], cases[9] }));
        Assert.Equal(0, await Wait.ScalarAsync<int>(db, "SELECT max(attempts) FROM casework.outbox WHERE case_id = ANY($1) AND state = 0 AND event_type = 'CaseReported'", new[] { cases[0], cases[9] }));
        Assert.Equal(2L, await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE event_type = 'NoSuchEvent' AND attempts > 0 AND last_error LIKE '%NoSuchEvent%'"));
    }

    [Fact]
    public async Task The_relay_holds_its_lock_only_while_it_polls_and_locked_out_publishes_nothing_until_the_lock_is_free()
    {
        var db = await fx.Infra.CreateDatabaseAsync("cw_lock");
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_lock");
        await using var host = await CaseworkHost.StartAsync("fire", db, mq, fx.Grids.Address, configure: o => o.RelayPollInterval = TimeSpan.FromMilliseconds(200));
        var chief = host.Client(CaseworkHost.Chief());
        var relay = host.Services.GetRequiredService<OutboxRelay>();
        Task<long> Pending() => Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE state = 0");
        await host.ReportAsync(chief, Report());
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(20), "the first report's event published");

        // Between its polls the relay holds no lock: another session (a second replica's relay, say) takes it.
        await using var other = new NpgsqlConnection(db);
        await other.OpenAsync();
        async Task<bool> SqlAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, other);
            return (bool)(await cmd.ExecuteScalarAsync())!;
        }

        await Wait.UntilAsync(() => SqlAsync("SELECT pg_try_advisory_lock(hashtext('casework.relay'))"), TimeSpan.FromSeconds(5), "the relay's lock free between polls");

        // Locked out, the relay polls after the next report and is refused, and the report's events stay pending.
        var last = await Wait.ScalarAsync<long>(db, "SELECT max(seq) FROM casework.outbox");
        await host.ReportAsync(chief, Report());
        var refusals = relay.LockRefusals;
        await Wait.UntilAsync(() => Task.FromResult(relay.LockRefusals > refusals), TimeSpan.FromSeconds(10), "a poll refused the lock");
        var written = await Wait.ScalarAsync<long>(db, "SELECT count(*) FROM casework.outbox WHERE seq > $1", last);
        Assert.True(written > 0);
        Assert.Equal(written, await Pending());

        // Once the lock is free, the event goes out.
        Assert.True(await SqlAsync("SELECT pg_advisory_unlock(hashtext('casework.relay'))"));
        await Wait.UntilAsync(async () => await Pending() == 0, TimeSpan.FromSeconds(10), "the event published once the lock is free");
    }
}
