using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 留痕: the append-only, hash-chained audit trail. Each entry's SHA-256 covers its own fields and the
/// previous entry's hash, so changing, removing or inserting any row breaks the chain from there on.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>PostgreSQL keeps microseconds; hash exactly what is stored.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    public static string Hash(AuditEntry e)
    {
        var text = string.Join('\u001f',
            e.Seq.ToString(CultureInfo.InvariantCulture),
            e.CaseId?.ToString() ?? "",
            e.Actor,
            e.Action,
            e.Origin,
            Truncate(e.At).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            e.Before ?? "",
            e.After ?? "",
            e.PrevHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Walks entries in sequence order; returns the first broken link or null when the chain holds.</summary>
    public static AuditBreak? Verify(IEnumerable<AuditEntry> entries)
    {
        var prev = Genesis;
        long expectedSeq = 1;
        foreach (var e in entries)
        {
            if (e.Seq != expectedSeq)
            {
                return new AuditBreak(e.Seq, $"sequence gap: expected {expectedSeq}, found {e.Seq} (rows removed or inserted)");
            }

            if (e.PrevHash != prev)
            {
                return new AuditBreak(e.Seq, "previous-hash does not match the hash of the entry before it");
            }

            if (Hash(e) != e.Hash)
            {
                return new AuditBreak(e.Seq, "content does not match its hash (the entry was altered)");
            }

            prev = e.Hash;
            expectedSeq++;
        }

        return null;
    }
}

/// <summary>One audit entry: who did what, when, from where, the case before and after.</summary>
public sealed record AuditEntry(long Seq, Guid? CaseId, string Actor, string Action, string Origin, DateTimeOffset At, string? Before, string? After, string PrevHash, string Hash);

/// <summary>The first entry where the chain does not hold.</summary>
public sealed record AuditBreak(long Seq, string Reason);
