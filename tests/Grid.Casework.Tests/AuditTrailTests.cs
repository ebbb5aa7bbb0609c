using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.Messaging;
using Grid.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.Casework.Tests;

/// <summary>
/// 留痕: what each kind of access can and cannot hide in the audit trail, against real PostgreSQL and RabbitMQ. The
/// "database administrator" here is the superuser connection of the test server; the service's key stays in the host.
/// </summary>
[Collection(CaseworkCollection.Name)]
public class AuditTrailTests(CaseworkFixture fx)
{
    private const string Verify = "/api/fire/v1/cases/audit/verify";

    private static HttpClient Auditor(CaseworkHost host) => host.Client(TestTokens.Create("auditor-1", ["auditor"]));

    private static async Task<AuditVerification> VerifyAsync(CaseworkHost host, string query = "") =>
        (await Auditor(host).GetFromJsonAsync<AuditVerification>(Verify + query, CaseworkHost.Json))!;

    /// <summary>Reports and accepts <paramref name="cases"/> cases (two entries each) and waits until they are linked.</summary>
    private static async Task<List<CaseView>> TwoEntriesEachAsync(CaseworkHost host, int cases)
    {
        var chief = host.Client(CaseworkHost.Chief());
        var list = new List<CaseView>();
        var linked = await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework_audit.entries");
        for (var i = 0; i < cases; i++)
        {
            var c = await host.ReportAsync(chief, new { category = "hazard", severity = "general", title = $"隐患{i}", gridId = GridTree.VillageA1 });
            await host.StepAsync(chief, c.Id, "accept");
            list.Add(c);
        }

        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework_audit.entries") == linked + (cases * 2),
            TimeSpan.FromSeconds(20), "the entries to be linked");
        return list;
    }

    /// <summary>The administrator's session: superuser, with triggers off (session_replication_role), as an owner could too.</summary>
    private static async Task<NpgsqlConnection> AdministratorAsync(CaseworkHost host)
    {
        var conn = new NpgsqlConnection(host.Database);
        await conn.OpenAsync();
        await Sql(conn, "SET session_replication_role = replica");
        return conn;
    }

    private static async Task Sql(NpgsqlConnection conn, string sql, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<AuditEntry>> EntriesAsync(NpgsqlConnection conn)
    {
        var list = new List<AuditEntry>();
        await using var cmd = new NpgsqlCommand("SELECT seq, entry_id, case_id, actor, action, origin, at, before, after, prev_hash, hash FROM casework_audit.entries ORDER BY seq", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(new AuditEntry(r.GetInt64(0), r.GetGuid(1), new AuditRecord(r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)), r.GetString(9), r.GetString(10)));
        }

        return list;
    }

    [Fact]
    public async Task A_row_edited_with_every_later_MAC_recomputed_by_someone_without_the_key_is_detected()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_audit_edit");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_audit_edit"), mq, fx.Grids.Address);
        var cases = await TwoEntriesEachAsync(host, 3);
        var ok = await VerifyAsync(host);
        Assert.True(ok.Valid, ok.Reason);
        Assert.Equal(6, ok.Entries);
        Assert.Equal(6, ok.HeadSeq);

        // The administrator rewrites who accepted the second case and re-chains everything after it, consistently, with
        // the best key they have: not the service's.
        await using var admin = await AdministratorAsync(host);
        var rows = await EntriesAsync(admin);
        var guess = new AuditChain(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var prev = rows[2].Hash;
        for (var i = 3; i < rows.Count; i++)
        {
            var forged = rows[i] with { PrevHash = prev, Record = i == 3 ? rows[i].Record with { Actor = "someone-else" } : rows[i].Record };
            forged = forged with { Hash = guess.Link(forged) };
            await Sql(admin, "UPDATE casework_audit.entries SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4", forged.Record.Actor, forged.PrevHash, forged.Hash, forged.Seq);
            prev = forged.Hash;
        }

        // The forgery is a consistent chain under the forger's key (so only the key tells it apart) ...
        var forgedRows = await EntriesAsync(admin);
        var walk = new AuditChainWalk(guess, 4, rows[2].Hash);
        Assert.All(forgedRows.Skip(3), e => Assert.Null(walk.Next(e)));
        Assert.Equal("someone-else", forgedRows[3].Record.Actor);

        // ... and the service's verification names the edited entry.
        var altered = await VerifyAsync(host);
        Assert.False(altered.Valid);
        Assert.Equal(4, altered.FirstBrokenSeq);
        Assert.Contains("MAC", altered.Reason);

        // One case, one day: the edited case fails, an untouched one holds, today's run fails at the same entry.
        var second = await VerifyAsync(host, $"?caseId={cases[1].Id}");
        Assert.False(second.Valid);
        Assert.Equal(4, second.FirstBrokenSeq);
        Assert.Equal($"case {cases[1].Id}", second.Scope);
        var first = await VerifyAsync(host, $"?caseId={cases[0].Id}");
        Assert.True(first.Valid, first.Reason);
        Assert.Equal(2, first.Entries);
        var today = await VerifyAsync(host, $"?day={forgedRows[0].Record.At.UtcDateTime:yyyy-MM-dd}");
        Assert.False(today.Valid);
        Assert.Equal(4, today.FirstBrokenSeq);
        var dayBefore = await VerifyAsync(host, $"?day={forgedRows[0].Record.At.UtcDateTime.AddDays(-1):yyyy-MM-dd}");
        Assert.True(dayBefore.Valid);
        Assert.Equal(0, dayBefore.Entries);
    }

    [Fact]
    public async Task The_newest_entries_deleted_are_detected_against_the_last_seal_which_is_published_and_logged()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_audit_cut");
        var logs = new CapturingLoggerProvider();
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_audit_cut"), mq, fx.Grids.Address, logs: logs);
        await using var probe = await EventProbe.StartAsync(mq, CaseworkTopology.CommandCentreQueue);
        await TwoEntriesEachAsync(host, 4);

        var seal = (await host.Services.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None))!;
        Assert.Equal(8, seal.HeadSeq);
        Assert.Equal("fire", seal.Domain);
        var published = await probe.WaitForAsync("AuditChainSealed", m => m.GetProperty("headSeq").GetInt64() == 8);
        Assert.Equal(seal.HeadHash, published.GetProperty("headHash").GetString());
        Assert.Contains(logs.Lines, l => l.Contains("Audit chain sealed") && l.Contains(seal.HeadHash));

        // The administrator cuts the three newest entries. The chain that is left holds together ...
        await using (var admin = await AdministratorAsync(host))
        {
            await Sql(admin, "DELETE FROM casework_audit.entries WHERE seq > 5");
        }

        var alone = await VerifyAsync(host);
        Assert.True(alone.Valid);
        Assert.Equal(5, alone.Entries);
        Assert.Equal(5, alone.HeadSeq);

        // ... but not against the seal kept outside the database.
        var cut = await VerifyAsync(host, $"?sealSeq={seal.HeadSeq}&sealHash={seal.HeadHash}");
        Assert.False(cut.Valid);
        Assert.True(cut.SealChecked);
        Assert.Equal(6, cut.FirstBrokenSeq);
        Assert.Contains("removed", cut.Reason);

        // A seal half given, or a malformed one, is refused naming the field.
        using var bad = await Auditor(host).GetAsync(Verify + "?sealSeq=8&sealHash=xyz");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("sealHash", await bad.Content.ReadAsStringAsync());
        using var half = await Auditor(host).GetAsync(Verify + "?sealSeq=8");
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode);
        Assert.Contains("sealHash", await half.Content.ReadAsStringAsync());
        using var badDay = await Auditor(host).GetAsync(Verify + "?day=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badDay.StatusCode);
        Assert.Contains("\"day\"", await badDay.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_whole_chain_rewritten_without_the_key_fails_against_the_last_seal()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_audit_rewrite");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_audit_rewrite"), mq, fx.Grids.Address);
        await TwoEntriesEachAsync(host, 2);
        var seal = (await host.Services.GetRequiredService<AuditSealer>().SealAsync(CancellationToken.None))!;
        Assert.True((await VerifyAsync(host, $"?sealSeq={seal.HeadSeq}&sealHash={seal.HeadHash}")).Valid);

        // Every entry re-chained from the start under another key, the first one's content changed.
        await using var admin = await AdministratorAsync(host);
        var rows = await EntriesAsync(admin);
        var other = new AuditChain(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var prev = AuditChain.Genesis;
        foreach (var row in rows)
        {
            var forged = row with { PrevHash = prev, Record = row.Seq == 1 ? row.Record with { Origin = "rewritten" } : row.Record };
            forged = forged with { Hash = other.Link(forged) };
            await Sql(admin, "UPDATE casework_audit.entries SET origin = $1, prev_hash = $2, hash = $3 WHERE seq = $4", forged.Record.Origin, forged.PrevHash, forged.Hash, forged.Seq);
            prev = forged.Hash;
        }

        var rewritten = await VerifyAsync(host, $"?sealSeq={seal.HeadSeq}&sealHash={seal.HeadHash}");
        Assert.False(rewritten.Valid);
        Assert.Equal(1, rewritten.FirstBrokenSeq);
        Assert.NotEqual(seal.HeadHash, rewritten.HeadHash);
    }

    [Fact]
    public async Task The_services_database_role_appends_audit_entries_but_PostgreSQL_refuses_it_updates_and_deletes()
    {
        // As a database administrator provisions a service: its own login role owning its database, the audit tables
        // owned by another role.
        var superuser = await fx.Infra.CreateDatabaseAsync("cw_audit_priv");
        var database = new NpgsqlConnectionStringBuilder(superuser).Database!;
        var role = GridInfrastructure.UniqueName("svc");
        await using (var admin = new NpgsqlConnection(superuser))
        {
            await admin.OpenAsync();
            await Sql(admin, $"CREATE ROLE \"{role}\" LOGIN");
            await Sql(admin, $"ALTER DATABASE \"{database}\" OWNER TO \"{role}\"");
            await CaseworkAuditSchema.ProvisionAsync(admin, role);
        }

        var service = new NpgsqlConnectionStringBuilder(superuser) { Username = role }.ConnectionString;
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_audit_priv");
        var logs = new CapturingLoggerProvider();
        await using var host = await CaseworkHost.StartAsync("fire", service, mq, fx.Grids.Address, logs: logs);

        // The service works as that role: entries written, linked out of the queue, verified.
        await TwoEntriesEachAsync(host, 2);
        await Wait.UntilAsync(async () => await Wait.ScalarAsync<long>(service, "SELECT count(*) FROM casework_audit.queue") == 0,
            TimeSpan.FromSeconds(20), "the queue to empty");
        var ok = await VerifyAsync(host);
        Assert.True(ok.Valid, ok.Reason);
        Assert.Equal(4, ok.Entries);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("guarded by a trigger only"));

        // Whatever runs as the service's role (a leaked password, an injected statement) cannot rewrite or remove.
        await using var conn = new NpgsqlConnection(service);
        await conn.OpenAsync();
        foreach (var sql in new[]
        {
            "UPDATE casework_audit.entries SET actor = 'x' WHERE seq = 1",
            "DELETE FROM casework_audit.entries WHERE seq = 4",
            "TRUNCATE casework_audit.entries",
            "UPDATE casework_audit.queue SET actor = 'x'",
            "DELETE FROM casework_audit.queue",
            "ALTER TABLE casework_audit.entries DISABLE TRIGGER append_only",
            "DROP TABLE casework_audit.entries",
            $"SET ROLE {CaseworkAuditSchema.OwnerRole}",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql(conn, sql));
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }

        Assert.Equal(4L, await Wait.ScalarAsync<long>(superuser, "SELECT count(*) FROM casework_audit.entries WHERE actor <> 'x'"));
        Assert.True((await VerifyAsync(host)).Valid);
    }

    [Fact]
    public async Task Where_the_service_owns_the_audit_tables_a_trigger_refuses_changes_and_the_service_says_it_is_the_only_guard()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_audit_trg");
        var logs = new CapturingLoggerProvider();
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_audit_trg"), mq, fx.Grids.Address, logs: logs);
        await TwoEntriesEachAsync(host, 1);
        Assert.Contains(logs.Lines, l => l.Contains("guarded by a trigger only"));

        await using var conn = new NpgsqlConnection(host.Database);
        await conn.OpenAsync();
        foreach (var sql in new[] { "UPDATE casework_audit.entries SET actor = 'x'", "DELETE FROM casework_audit.entries", "TRUNCATE casework_audit.entries", "UPDATE casework_audit.queue SET actor = 'x'" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Sql(conn, sql));
            Assert.Contains("append-only", refused.MessageText);
        }

        Assert.Equal(2L, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework_audit.entries WHERE actor <> 'x'"));
    }

    [Fact]
    public async Task An_entry_slipped_into_the_queue_without_the_key_is_never_linked_and_is_named()
    {
        var mq = await fx.Infra.CreateVirtualHostAsync("cw_audit_forge");
        await using var host = await CaseworkHost.StartAsync("fire", await fx.Infra.CreateDatabaseAsync("cw_audit_forge"), mq, fx.Grids.Address);
        await TwoEntriesEachAsync(host, 1);
        await using (var conn = new NpgsqlConnection(host.Database))
        {
            await conn.OpenAsync();
            await Sql(conn, "INSERT INTO casework_audit.queue (entry_id, actor, action, origin, at, mac) VALUES ($1, 'chief-x', 'close', 'http:forged', now(), $2)",
                Guid.NewGuid(), new string('a', 64));
        }

        // Linked entries go on being linked past it; it stays out of the chain and verification names it.
        await TwoEntriesEachAsync(host, 1);
        var result = await VerifyAsync(host);
        Assert.False(result.Valid);
        Assert.Contains("queued entry", result.Reason);
        Assert.Equal(4, result.HeadSeq);
        Assert.Equal(0L, await Wait.ScalarAsync<long>(host.Database, "SELECT count(*) FROM casework_audit.entries WHERE origin = 'http:forged'"));
    }

    [Fact]
    public void The_chain_links_each_entry_to_the_one_before_under_its_key()
    {
        var chain = new AuditChain(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var at = DateTimeOffset.UtcNow;
        var e1 = new AuditEntry(1, Guid.NewGuid(), new AuditRecord(null, "a", "report", "o", at, null, "{}"), AuditChain.Genesis, "");
        e1 = e1 with { Hash = chain.Link(e1) };
        var e2 = new AuditEntry(2, Guid.NewGuid(), new AuditRecord(null, "b", "accept", "o", at, "{}", "{}"), e1.Hash, "");
        e2 = e2 with { Hash = chain.Link(e2) };
        var walk = new AuditChainWalk(chain);
        Assert.Null(walk.Next(e1));
        Assert.Null(walk.Next(e2));
        Assert.Equal(2, walk.LastSeq);

        // Re-MACed under the right key after an edit, the next entry's link breaks; under another key, the entry itself.
        var edited = e1 with { Record = e1.Record with { Actor = "x" } };
        Assert.Equal(2, Walk(chain, edited with { Hash = chain.Link(edited) }, e2)!.Seq);
        Assert.Equal(1, Walk(chain, edited with { Hash = new AuditChain(new byte[32]).Link(edited) }, e2)!.Seq);
        Assert.Equal(1, Walk(chain, e2)!.Seq);
        Assert.NotEqual(chain.Written(e1.EntryId, e1.Record), chain.Written(e1.EntryId, edited.Record));

        static AuditBreak? Walk(AuditChain chain, params AuditEntry[] entries)
        {
            var w = new AuditChainWalk(chain);
            return entries.Select(w.Next).FirstOrDefault(b => b is not null);
        }
    }
}
