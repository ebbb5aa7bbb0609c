using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// <c>casework.idempotency_keys</c>: a reporter's Idempotency-Key, the case it opened and a SHA-256 of the report it came
/// with, written in the case's own transaction.
/// </summary>
public static class IdempotencyKeys
{
    /// <summary>Claims the keys of many reports in one statement; false when any was taken before (or is given twice).</summary>
    public static async Task<bool> ClaimAllAsync(CaseworkTransaction tx, IReadOnlyList<(string Subject, string Key, Guid CaseId, byte[] RequestHash)> keys, CancellationToken ct)
    {
        await using var cmd = tx.Command("""
            INSERT INTO casework.idempotency_keys (subject, key, case_id, request_hash) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::bytea[])
            ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Subject).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Key).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.CaseId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.RequestHash).ToArray() });
        return await cmd.ExecuteNonQueryAsync(ct) == keys.Count;
    }

    /// <summary>Claims one key for <paramref name="caseId"/>; false when it was taken before.</summary>
    public static async Task<bool> ClaimAsync(CaseworkTransaction tx, string subject, string key, Guid caseId, byte[] requestHash, CancellationToken ct)
    {
        await using var cmd = tx.Command("INSERT INTO casework.idempotency_keys (subject, key, case_id, request_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING");
        cmd.Parameters.Add(new NpgsqlParameter { Value = subject });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = requestHash });
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>The case a key opened before and the hash of its report (null for keys stored before hashes were kept).</summary>
    public static async Task<(Guid CaseId, byte[]? RequestHash)> FindAsync(CaseworkTransaction tx, string subject, string key, CancellationToken ct)
    {
        await using var cmd = tx.Command("SELECT case_id, request_hash FROM casework.idempotency_keys WHERE subject = $1 AND key = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = subject });
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var row = await cmd.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        return (row.GetGuid(0), row.IsDBNull(1) ? null : (byte[])row[1]);
    }
}
