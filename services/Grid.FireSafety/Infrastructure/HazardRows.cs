using Grid.FireSafety.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Grid.FireSafety.Infrastructure;

/// <summary>
/// The one hand-written statement over <c>fire.hazards</c> (whose shape <see cref="FireDbContext"/> defines): a new
/// hazard queued into the case transaction's commit (see <see cref="FireCaseHooks"/> for why not EF Core there).
/// </summary>
internal static class HazardRows
{
    public static NpgsqlBatchCommand Insert(Hazard h)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO fire.hazards ("CaseId", "CaseNumber", "PlaceId", "Area", "Major", "FixedOnSpot", "PublicReport",
                "GridId", "GridPath", "ReportedAt", "SubmittedAt")
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.CaseId, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.CaseNumber, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)h.PlaceId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.Area, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.Major, NpgsqlDbType = NpgsqlDbType.Boolean });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.FixedOnSpot, NpgsqlDbType = NpgsqlDbType.Boolean });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.PublicReport, NpgsqlDbType = NpgsqlDbType.Boolean });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.GridId, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.GridPath, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = h.ReportedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)h.SubmittedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return cmd;
    }
}
