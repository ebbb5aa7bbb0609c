using Grid.Casework.Application;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary><c>casework.summons</c>: 吹哨 — who was summoned to a case, by when, and when they reported for duty (报到).</summary>
public static class SummonsRepository
{
    public static async Task InsertAsync(CaseworkTransaction tx, SummonsView s, string summonedBy, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = tx.Command("INSERT INTO casework.summons (id, case_id, department_id, summoned_by, reason, summoned_at, report_by) VALUES ($1,$2,$3,$4,$5,$6,$7)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.Id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.CaseId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.DepartmentId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = summonedBy });
        cmd.Parameters.Add(new NpgsqlParameter { Value = reason });
        cmd.Parameters.Add(new NpgsqlParameter { Value = now });
        cmd.Parameters.Add(new NpgsqlParameter { Value = s.ReportBy });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One summons of a case, locked for the rest of the transaction; null when the case has no such summons.</summary>
    public static async Task<SummonsView?> GetForUpdateAsync(CaseworkTransaction tx, Guid id, Guid caseId, CancellationToken ct)
    {
        await using var cmd = tx.Command("SELECT id, case_id, department_id, report_by, reported_at, late FROM casework.summons WHERE id = $1 AND case_id = $2 FOR UPDATE");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = caseId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new SummonsView(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetBoolean(5))
            : null;
    }

    public static async Task MarkReportedAsync(CaseworkTransaction tx, Guid id, DateTimeOffset at, bool late, CancellationToken ct)
    {
        await using var cmd = tx.Command("UPDATE casework.summons SET reported_at = $2, late = $3 WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = at });
        cmd.Parameters.Add(new NpgsqlParameter { Value = late });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Up to <paramref name="limit"/> summons past their report-by with nobody reported and no breach recorded, locked (others skip them).</summary>
    public static async Task<List<(Guid Id, Guid CaseId, string Department, DateTimeOffset ReportBy)>> MissedAsync(CaseworkTransaction tx, DateTimeOffset now, int limit, CancellationToken ct)
    {
        var missed = new List<(Guid, Guid, string, DateTimeOffset)>();
        await using var cmd = tx.Command("SELECT id, case_id, department_id, report_by FROM casework.summons WHERE reported_at IS NULL AND NOT breached AND report_by < $1 ORDER BY report_by LIMIT $2 FOR UPDATE SKIP LOCKED");
        cmd.Parameters.Add(new NpgsqlParameter { Value = now });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            missed.Add((r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)));
        }

        return missed;
    }

    public static async Task MarkBreachedAsync(CaseworkTransaction tx, Guid id, CancellationToken ct)
    {
        await using var cmd = tx.Command("UPDATE casework.summons SET breached = true WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
