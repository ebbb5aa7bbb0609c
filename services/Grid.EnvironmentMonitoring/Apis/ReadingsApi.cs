using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Grid.EnvironmentMonitoring.Domain;
using Grid.EnvironmentMonitoring.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.EnvironmentMonitoring.Apis;

/// <summary>在线监控: readings pushed by monitoring stations, and queries over them.</summary>
public static class ReadingsApi
{
    /// <summary>One row of a pushed batch as it arrives on the wire.</summary>
    public sealed class ReadingDto
    {
        public string? Station { get; set; }

        public string? Pollutant { get; set; }

        public double? Value { get; set; }

        public string? Unit { get; set; }

        public DateTimeOffset? Time { get; set; }
    }

    public sealed record ReadingView(string Pollutant, DateTimeOffset Time, double Value, string Unit);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // "NaN" / "Infinity" as strings are read so they can be refused by row and field, not as a parse error.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
    };

    public static RouteGroupBuilder MapReadingsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/readings:batch", PostBatch)
            .WithName("PushReadings")
            .WithSummary("Push a batch of readings (JSON array or text/csv with header station,pollutant,value,unit,time); all or nothing.")
            .Accepts<ReadingDto[]>("application/json", "text/csv")
            .Produces<IngestResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/stations/{id}/readings", GetReadings).WithName("GetStationReadings");
        return api;
    }

    internal static async Task<IResult> PostBatch(HttpContext http, ClaimsPrincipal user, ReadingIngestor ingestor, IOptionsMonitor<EnvironmentOptions> options, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Pushers) is { } denied)
        {
            return denied;
        }

        var o = options.CurrentValue.Readings;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = o.MaxBatchBytes + 1;
        }

        if (http.Request.ContentLength > o.MaxBatchBytes)
        {
            return TooLarge($"The body has {http.Request.ContentLength} bytes; the limit is {o.MaxBatchBytes} (Environment:Readings:MaxBatchBytes).");
        }

        var body = await ReadLimitedAsync(http.Request.Body, o.MaxBatchBytes, ct);
        if (body is null)
        {
            return TooLarge($"The body exceeds {o.MaxBatchBytes} bytes (Environment:Readings:MaxBatchBytes).");
        }

        var csv = http.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
        var (rows, errors) = csv ? ParseCsv(body.Value.Span, o.MaxBatchRows) : ParseJson(body.Value, o.MaxBatchRows);
        if (rows is null && errors is null)
        {
            return TooLarge($"The batch has more than {o.MaxBatchRows} rows (Environment:Readings:MaxBatchRows).");
        }

        if (errors is { Count: > 0 })
        {
            return TypedResults.ValidationProblem(errors, title: "The batch was refused; nothing was stored");
        }

        if (rows!.Count == 0)
        {
            return Access.Invalid("body", "the batch is empty");
        }

        var (result, refusal) = await ingestor.IngestAsync(rows, user, ct);
        if (refusal is not null)
        {
            return refusal.Status == 400
                ? TypedResults.ValidationProblem(refusal.Errors, title: refusal.Title)
                : TypedResults.Problem(title: refusal.Title, statusCode: refusal.Status, extensions: new Dictionary<string, object?> { ["errors"] = refusal.Errors });
        }

        return TypedResults.Ok(result);
    }

    private static IResult TooLarge(string detail) =>
        TypedResults.Problem(title: "Batch too large; nothing was stored", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>Reads the body up to the limit; null when it is longer (the rest is not read).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadLimitedAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Rows, or problems by field; both null when there are too many rows.</summary>
    internal static (List<Reading>? Rows, Dictionary<string, string[]>? Errors) ParseJson(ReadOnlyMemory<byte> body, int maxRows) =>
        ReadingJson.TryRead(body.Span, maxRows) is { } common ? (common, null) : ParseAnyJson(body, maxRows);

    /// <summary>Any JSON: rows, or problems by row and field; both null when there are too many rows.</summary>
    internal static (List<Reading>? Rows, Dictionary<string, string[]>? Errors) ParseAnyJson(ReadOnlyMemory<byte> body, int maxRows)
    {
        List<ReadingDto?>? dtos;
        try
        {
            dtos = JsonSerializer.Deserialize<List<ReadingDto?>>(body.Span, Json);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, new() { [field] = [$"unreadable: {e.Message}"] });
        }

        if (dtos is null)
        {
            return (null, new() { ["body"] = ["expected a JSON array of readings"] });
        }

        if (dtos.Count > maxRows)
        {
            return (null, null);
        }

        var errors = new Dictionary<string, string[]>();
        var rows = new List<Reading>(dtos.Count);
        for (var i = 0; i < dtos.Count; i++)
        {
            var d = dtos[i];
            if (d is null)
            {
                errors[$"[{i}]"] = ["a reading is required, not null"];
                continue;
            }

            Require(errors, i, "station", d.Station);
            Require(errors, i, "pollutant", d.Pollutant);
            Require(errors, i, "unit", d.Unit);
            if (d.Value is null)
            {
                errors[$"[{i}].value"] = ["required"];
            }

            if (d.Time is null)
            {
                errors[$"[{i}].time"] = ["required"];
            }

            if (errors.Count >= 50)
            {
                break;
            }

            rows.Add(new Reading(d.Station ?? "", d.Pollutant ?? "", d.Value ?? double.NaN, d.Unit ?? "", d.Time ?? default));
        }

        return errors.Count > 0 ? (null, errors) : (rows, null);
    }

    private static void Require(Dictionary<string, string[]> errors, int i, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[$"[{i}].{field}"] = ["required"];
        }
    }

    /// <summary>CSV with the header station,pollutant,value,unit,time (any column order); row numbers count data rows from 0.</summary>
    internal static (List<Reading>? Rows, Dictionary<string, string[]>? Errors) ParseCsv(ReadOnlySpan<byte> body, int maxRows)
    {
        var text = Encoding.UTF8.GetString(body);
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return (new List<Reading>(), null);
        }

        if (lines.Length - 1 > maxRows)
        {
            return (null, null);
        }

        var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
        string[] names = ["station", "pollutant", "value", "unit", "time"];
        var missing = names.Where(n => !header.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            return (null, new() { ["header"] = [$"missing column(s): {string.Join(", ", missing)}"] });
        }

        var idx = names.ToDictionary(n => n, n => header.IndexOf(n));
        var rows = new List<Reading>(lines.Length - 1);
        var errors = new Dictionary<string, string[]>();
        for (var i = 1; i < lines.Length && errors.Count < 50; i++)
        {
            var f = lines[i].Split(',');
            var row = i - 1;
            if (f.Length != header.Count)
            {
                errors[$"[{row}]"] = [$"expected {header.Count} fields, found {f.Length}"];
                continue;
            }

            if (!double.TryParse(f[idx["value"]], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                errors[$"[{row}].value"] = [$"'{f[idx["value"]]}' is not a number"];
            }

            if (!DateTimeOffset.TryParse(f[idx["time"]], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                errors[$"[{row}].time"] = [$"'{f[idx["time"]]}' is not a time"];
            }

            rows.Add(new Reading(f[idx["station"]].Trim(), f[idx["pollutant"]].Trim(), value, f[idx["unit"]].Trim(), time));
        }

        return errors.Count > 0 ? (null, errors) : (rows, null);
    }

    internal static async Task<IResult> GetReadings(string id, DateTimeOffset? from, DateTimeOffset? to, string? pollutant, int? limit,
        ClaimsPrincipal user, NpgsqlDataSource db, TimeProvider clock, IOptionsMonitor<EnvironmentOptions> options, CancellationToken ct)
    {
        if (Access.Require(user, EnvironmentRoles.Readers) is { } denied)
        {
            return denied;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var path = await conn.QuerySingleOrDefaultAsync<string[]>(new CommandDefinition(
            "SELECT grid_path FROM environment.stations WHERE id = @id", new { id }, cancellationToken: ct));
        if (path is null)
        {
            return Access.NotFound($"No station '{id}'.");
        }

        if (Access.RequireGrid(user, EnvironmentRoles.Readers, path) is { } outside)
        {
            return outside;
        }

        var until = to ?? clock.GetUtcNow();
        var since = from ?? until.AddDays(-1);
        if (since > until)
        {
            return Access.Invalid("from", "must not be after 'to'");
        }

        if (pollutant is not null && Pollutants.Find(pollutant) is null)
        {
            return Access.Invalid("pollutant", $"unknown pollutant '{pollutant}'");
        }

        var max = options.CurrentValue.Readings.MaxQueryRows;
        var take = Math.Clamp(limit ?? max, 1, max);
        var rows = await conn.QueryAsync<(string Pollutant, DateTime Time, double Value, string Unit)>(new CommandDefinition("""
            SELECT pollutant, time, value, unit FROM environment.readings
            WHERE station_id = @id AND time >= @since AND time <= @until AND (@pollutant::text IS NULL OR pollutant = @pollutant)
            ORDER BY time, pollutant LIMIT @take
            """, new { id, since = since.UtcDateTime, until = until.UtcDateTime, pollutant = Pollutants.Find(pollutant)?.Code, take }, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => new ReadingView(r.Pollutant, new DateTimeOffset(DateTime.SpecifyKind(r.Time, DateTimeKind.Utc)), r.Value, r.Unit)).ToList());
    }
}
