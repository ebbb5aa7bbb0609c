using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 留痕: the append-only audit trail, chained with a keyed MAC (HMAC-SHA-256). Each entry's MAC covers its own fields
/// and the previous entry's MAC, so changing, removing or inserting a row breaks the chain from there on, and without
/// the key (configuration, never in the database) nobody can recompute the MACs after a change.
/// </summary>
public sealed class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    private readonly byte[] _key;

    public AuditChain(byte[] key)
    {
        if (key.Length < 32)
        {
            throw new ArgumentException("The audit key must be at least 32 bytes.", nameof(key));
        }

        _key = key;
    }

    /// <summary>True when no key was configured and this one lives only as long as the process.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>PostgreSQL keeps microseconds; MAC exactly what is stored.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>The entry's link in the chain: its fields, its place (seq) and the previous entry's MAC.</summary>
    public string Link(AuditEntry e) => Mac(
        "link",
        e.Seq.ToString(CultureInfo.InvariantCulture),
        e.EntryId.ToString(),
        Fields(e.Record),
        e.PrevHash);

    /// <summary>The MAC an entry carries from the moment it is written, before it has a place in the chain.</summary>
    public string Written(Guid entryId, AuditRecord r) => Mac("written", entryId.ToString(), Fields(r));

    /// <summary>A seal of the chain's head, published outside the database.</summary>
    public string Seal(string domain, long headSeq, string headHash, DateTimeOffset sealedAt) => Mac(
        "seal", domain, headSeq.ToString(CultureInfo.InvariantCulture), headHash, Stamp(sealedAt));

    private static string Fields(AuditRecord r) => string.Join('\u001f',
        r.CaseId?.ToString() ?? "", r.Actor, r.Action, r.Origin, Stamp(r.At), r.Before ?? "", r.After ?? "");

    private static string Stamp(DateTimeOffset at) =>
        Truncate(at).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    private string Mac(params string[] parts) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(string.Join('\u001e', parts))));
}

/// <summary>What an audit entry says: who did what to which case, when, from where, the case before and after.</summary>
public sealed record AuditRecord(Guid? CaseId, string Actor, string Action, string Origin, DateTimeOffset At, string? Before, string? After);

/// <summary>One entry of the chain: its record, its place, the previous entry's MAC and its own.</summary>
public sealed record AuditEntry(long Seq, Guid EntryId, AuditRecord Record, string PrevHash, string Hash);

/// <summary>The first entry where the chain does not hold.</summary>
public sealed record AuditBreak(long Seq, string Reason);

/// <summary>
/// Checks a run of consecutive entries one at a time (nothing kept but the last link), so a chain of any length is
/// verified in constant memory.
/// </summary>
public sealed class AuditChainWalk(AuditChain chain, long expectedSeq = 1, string? prev = AuditChain.Genesis)
{
    public long Count { get; private set; }

    public long? LastSeq { get; private set; }

    public string? LastHash { get; private set; }

    /// <summary>Null while the chain holds; the break otherwise (stop at the first).</summary>
    public AuditBreak? Next(AuditEntry e)
    {
        Count++;
        if (e.Seq != expectedSeq)
        {
            return new AuditBreak(expectedSeq, $"sequence gap: expected {expectedSeq}, found {e.Seq} (entries removed or inserted)");
        }

        // prev is null when the walk starts in the middle and takes the first entry's stored link on trust of its MAC.
        if (prev is not null && e.PrevHash != prev)
        {
            return new AuditBreak(e.Seq, "its link to the previous entry does not match that entry's MAC (an entry before it was altered, removed or inserted)");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(chain.Link(e)), Encoding.ASCII.GetBytes(e.Hash)))
        {
            return new AuditBreak(e.Seq, "content does not match its MAC (the entry was altered, or its MAC recomputed without the key)");
        }

        prev = e.Hash;
        expectedSeq++;
        LastSeq = e.Seq;
        LastHash = e.Hash;
        return null;
    }
}
