using System.Text.Json;
using Dapper;
using Grid.Organization.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Organization.Imports;

/// <summary>
/// Bulk imports, all or nothing: every row is checked first (fields, duplicates within the file and against
/// the database, grid scope); only a file without errors is written, in one transaction with binary COPY.
/// Progress is kept on the job row so a second request can watch it.
/// </summary>
public sealed partial class ImportService(NpgsqlDataSource db, OrganizationCache cache, GridStore grids, ILogger<ImportService> logger)
{
    public const int MaxReportedErrors = 1000;

    public async Task<ImportJob> StartAsync(string kind, int total)
    {
        var job = new ImportJob { Id = Guid.CreateVersion7(), Kind = kind, Status = "running", Total = total, StartedAt = DateTime.UtcNow };
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO import_jobs (id, kind, status, total, started_at) VALUES (@Id, @Kind, @Status, @Total, @StartedAt)", job);
        return job;
    }

    public async Task<ImportJob?> GetAsync(Guid id)
    {
        await using var conn = await db.OpenConnectionAsync();
        var row = await conn.QuerySingleOrDefaultAsync<(Guid Id, string Kind, string Status, int Total, int Processed, int Written, DateTime StartedAt, DateTime? FinishedAt, string? Errors)>(
            "SELECT id, kind, status, total, processed, written, started_at, finished_at, errors::text FROM import_jobs WHERE id = @id", new { id });
        return row.Id == Guid.Empty ? null : new ImportJob
        {
            Id = row.Id,
            Kind = row.Kind,
            Status = row.Status,
            Total = row.Total,
            Processed = row.Processed,
            Written = row.Written,
            StartedAt = row.StartedAt,
            FinishedAt = row.FinishedAt,
            Errors = row.Errors is null ? [] : JsonSerializer.Deserialize<List<RowError>>(row.Errors, JsonSerializerOptions.Web) ?? [],
        };
    }

    private async Task ProgressAsync(ImportJob job, int processed)
    {
        job.Processed = processed;
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE import_jobs SET processed = @processed WHERE id = @Id", new { processed, job.Id });
    }

    private async Task<ImportJob> FinishAsync(ImportJob job, List<RowError> errors, int written)
    {
        job.Status = errors.Count == 0 ? "succeeded" : "failed";
        job.Errors = errors.Take(MaxReportedErrors).ToList();
        job.Written = written;
        job.Processed = job.Total;
        job.FinishedAt = DateTime.UtcNow;
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync(
            "UPDATE import_jobs SET status = @Status, processed = @Processed, written = @Written, finished_at = @FinishedAt, errors = @errors::jsonb WHERE id = @Id",
            new { job.Status, job.Processed, job.Written, job.FinishedAt, job.Id, errors = JsonSerializer.Serialize(job.Errors, JsonSerializerOptions.Web) });
        logger.LogInformation("Import {Kind} {JobId}: {Status}, {Total} rows, {Written} written, {Errors} errors", job.Kind, job.Id, job.Status, job.Total, written, errors.Count);
        return job;
    }

    private sealed record GridRef(Guid Id, string Code, Guid[] Path);

    private static async Task<Dictionary<string, GridRef>> GridsByCodeAsync(NpgsqlConnection conn, IEnumerable<string> codes)
    {
        var rows = await conn.QueryAsync<(Guid Id, string Code, Guid[] Path)>("SELECT id, code, path FROM grids WHERE code = ANY(@codes)", new { codes = codes.Distinct().ToArray() });
        return rows.ToDictionary(r => r.Code, r => new GridRef(r.Id, r.Code, r.Path));
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, type);
}
