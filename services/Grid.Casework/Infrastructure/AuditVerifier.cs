using System.Data;
using System.Security.Cryptography;
using System.Text;
using Grid.Casework.Application;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>The head of a chain as a seal recorded it outside the database.</summary>
public sealed record AuditSeal(long Seq, string Hash);

/// <summary>
/// 留痕核验: walks the audit chain — all of it, one day's run of it, or one case's entries — row by row from the database
/// (nothing kept but the last link), checks every MAC and link, the queued entries' own MACs, and, given a seal, that the
/// chain still reaches the sealed entry with the sealed MAC. One snapshot throughout.
/// </summary>
public sealed class AuditVerifier(CaseworkDatabase db, ILogger<AuditVerifier> logger)
{
    private const string Columns = "seq, entry_id, case_id, actor, action, origin, at, before, after, prev_hash, hash";

    public async Task<AuditVerification> VerifyAsync(Guid? caseId, DateOnly? day, AuditSeal? seal, CancellationToken ct)
    {
        var chain = db.Audit ?? throw new InvalidOperationException("This service keeps no audit trail.");
        await db.ChainAuditAsync(logger, ct);
        await using var conn = await db.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        long head = 0;
        string? headHash = null;
        await using (var cmd = new NpgsqlCommand("SELECT seq, hash FROM casework_audit.entries ORDER BY seq DESC LIMIT 1", conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                head = r.GetInt64(0);
                headHash = r.GetString(1);
            }
        }

        var scope = caseId is { } c ? $"case {c}" : day is { } d ? $"day {d:yyyy-MM-dd}" : "chain";
        var (broken, count) = caseId is { } id ? await CaseAsync(conn, tx, chain, id, head, ct)
            : day is { } date ? await DayAsync(conn, tx, chain, date, head, ct)
            : await WalkAsync(conn, tx, chain, 1, head, AuditChain.Genesis, ct);
        broken ??= await QueueAsync(conn, tx, chain, ct);
        if (broken is null && seal is not null)
        {
            broken = await SealAsync(conn, tx, seal, head, ct);
        }

        await tx.CommitAsync(ct);
        return new AuditVerification(broken is null, count, broken?.Seq, broken?.Reason, scope, head, headHash, seal is not null);
    }

    /// <summary>The consecutive entries first..last; <paramref name="prev"/> is the MAC the first must link to.</summary>
    private static async Task<(AuditBreak?, long)> WalkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditChain chain, long first, long last, string prev, CancellationToken ct)
    {
        var walk = new AuditChainWalk(chain, first, prev);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM casework_audit.entries WHERE seq BETWEEN $1 AND $2 ORDER BY seq", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = first });
        cmd.Parameters.Add(new NpgsqlParameter { Value = last });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (walk.Next(Read(r)) is { } broken)
            {
                return (broken, walk.Count);
            }
        }

        // Rows missing at the end of the range (the range's last place is the head, or the day's last entry).
        return (walk.LastSeq is { } seen && seen < last || walk.LastSeq is null && last >= first
            ? new AuditBreak((walk.LastSeq ?? first - 1) + 1, "sequence gap: entries removed")
            : null, walk.Count);
    }

    /// <summary>The day's run of the chain, linked to the entry before it and to the one after it.</summary>
    private static async Task<(AuditBreak?, long)> DayAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditChain chain, DateOnly day, long head, CancellationToken ct)
    {
        long? first = null, last = null;
        await using (var cmd = new NpgsqlCommand("SELECT min(seq), max(seq) FROM casework_audit.entries WHERE at >= $1 AND at < $2", conn, tx))
        {
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            cmd.Parameters.Add(new NpgsqlParameter { Value = from });
            cmd.Parameters.Add(new NpgsqlParameter { Value = from.AddDays(1) });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            first = r.IsDBNull(0) ? null : r.GetInt64(0);
            last = r.IsDBNull(1) ? null : r.GetInt64(1);
        }

        if (first is null || last is null)
        {
            return (null, 0);
        }

        var prev = AuditChain.Genesis;
        if (first > 1)
        {
            if (await HashAtAsync(conn, tx, first.Value - 1, ct) is not { } before)
            {
                return (new AuditBreak(first.Value - 1, "sequence gap: the entry before the day's first was removed"), 0);
            }

            prev = before;
        }

        var (broken, count) = await WalkAsync(conn, tx, chain, first.Value, last.Value, prev, ct);
        if (broken is null && last < head)
        {
            await using var cmd = new NpgsqlCommand("SELECT prev_hash FROM casework_audit.entries WHERE seq = $1", conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = last.Value + 1 });
            var next = await cmd.ExecuteScalarAsync(ct) as string;
            if (next is null || next != await HashAtAsync(conn, tx, last.Value, ct))
            {
                broken = new AuditBreak(last.Value + 1, "the entry after the day's last does not link to it (entries removed or replaced)");
            }
        }

        return (broken, count);
    }

    /// <summary>A case's entries, each checked by its MAC and by its links to its neighbours in the chain.</summary>
    private static async Task<(AuditBreak?, long)> CaseAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditChain chain, Guid caseId, long head, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT e.{Columns.Replace(", ", ", e.", StringComparison.Ordinal)}, p.hash, n.prev_hash
            FROM casework_audit.entries e
            LEFT JOIN casework_audit.entries p ON p.seq = e.seq - 1
            LEFT JOIN casework_audit.entries n ON n.seq = e.seq + 1
            WHERE e.case_id = $1 ORDER BY e.seq
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        long count = 0;
        while (await r.ReadAsync(ct))
        {
            count++;
            var e = Read(r);
            var before = e.Seq == 1 ? AuditChain.Genesis : r.IsDBNull(11) ? null : r.GetString(11);
            var after = r.IsDBNull(12) ? null : r.GetString(12);
            if (!Same(chain.Link(e), e.Hash))
            {
                return (new AuditBreak(e.Seq, "content does not match its MAC (the entry was altered, or its MAC recomputed without the key)"), count);
            }

            if (before != e.PrevHash)
            {
                return (new AuditBreak(e.Seq, "its link to the previous entry does not hold (an entry before it was altered or removed)"), count);
            }

            if (e.Seq < head && after != e.Hash)
            {
                return (new AuditBreak(e.Seq + 1, "the entry after it does not link to it (removed or replaced)"), count);
            }
        }

        return (null, count);
    }

    /// <summary>Entries still queued must carry their own MAC (the chainer refuses those that do not).</summary>
    private static async Task<AuditBreak?> QueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditChain chain, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT id, entry_id, case_id, actor, action, origin, at, before, after, mac FROM casework_audit.queue ORDER BY id", conn, tx);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var record = new AuditRecord(r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8));
            if (!Same(chain.Written(r.GetGuid(1), record), r.GetString(9)))
            {
                return new AuditBreak(0, $"queued entry {r.GetInt64(0)} does not match its MAC (altered or forged before it was linked)");
            }
        }

        return null;
    }

    private static async Task<AuditBreak?> SealAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditSeal seal, long head, CancellationToken ct)
    {
        if (seal.Seq == 0)
        {
            return null;
        }

        if (head < seal.Seq)
        {
            return new AuditBreak(head + 1, $"the chain ends at entry {head}, before the sealed entry {seal.Seq}: the newest entries were removed");
        }

        return Same(await HashAtAsync(conn, tx, seal.Seq, ct) ?? "", seal.Hash)
            ? null
            : new AuditBreak(seal.Seq, "the sealed entry's MAC differs from the seal (the chain was rewritten)");
    }

    private static async Task<string?> HashAtAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long seq, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT hash FROM casework_audit.entries WHERE seq = $1", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = seq });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    private static AuditEntry Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetGuid(1),
        new AuditRecord(r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.GetString(4), r.GetString(5),
            r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)),
        r.GetString(9), r.GetString(10));

    private static bool Same(string a, string b) => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
