using System.Security.Claims;
using System.Text.Json;
using Grid.Organization.Imports;
using Microsoft.AspNetCore.Mvc;

namespace Grid.Organization.Apis;

/// <summary>
/// 批量导入 Imports: grids from GeoJSON, staff and subjects from CSV or XLSX. All or nothing; a failed import
/// answers 400 with every row error (row, field, message) as problem details. <c>?wait=false</c> answers 202 at
/// once with the job to poll (processed/total) instead of waiting.
/// </summary>
public static class ImportsApi
{
    public static RouteGroupBuilder MapImportsApi(this RouteGroupBuilder api)
    {
        var imports = api.MapGroup("/imports").WithTags("Imports").RequireAuthorization(Access.OrgAdminPolicy);
        var limit = new RequestSizeLimitAttribute(256L * 1024 * 1024);
        imports.MapPost("/grids", ImportGridsAsync).WithMetadata(limit);
        imports.MapPost("/staff", (HttpRequest r, bool? wait, ImportService s, ClaimsPrincipal u) => ImportTableAsync("staff", r, wait, s, u)).WithMetadata(limit);
        imports.MapPost("/subjects", (HttpRequest r, bool? wait, ImportService s, ClaimsPrincipal u) => ImportTableAsync("subjects", r, wait, s, u)).WithMetadata(limit);
        imports.MapGet("/{id:guid}", async (Guid id, ImportService s) => await s.GetAsync(id) is { } job ? Result(job) : Access.NotFound($"Import {id} does not exist."));
        return api;
    }

    private static async Task<IResult> ImportGridsAsync(HttpRequest request, bool? wait, ImportService service, ClaimsPrincipal user)
    {
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(request.Body)).RootElement;
        }
        catch (JsonException e)
        {
            return Access.Invalid("body", $"Not JSON: {e.Message}");
        }

        var count = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Array ? f.GetArrayLength() : 0;
        var job = await service.StartAsync("grids", count);
        return await RunAsync(job, wait, () => service.ImportGridsAsync(job, body, user.Scope()));
    }

    private static async Task<IResult> ImportTableAsync(string kind, HttpRequest request, bool? wait, ImportService service, ClaimsPrincipal user)
    {
        var type = request.ContentType ?? "";
        var excel = type.Contains("spreadsheetml", StringComparison.OrdinalIgnoreCase) || type.Contains("excel", StringComparison.OrdinalIgnoreCase);
        if (!excel && !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return Access.Invalid("Content-Type", "text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        buffer.Position = 0;
        List<Dictionary<string, string>> rows;
        try
        {
            rows = ImportTable.ReadTable(buffer, excel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Access.Invalid("body", $"The file could not be read as {(excel ? "XLSX" : "CSV")}: {e.Message}");
        }

        var job = await service.StartAsync(kind, rows.Count);
        var scope = user.Scope();
        return await RunAsync(job, wait, () => kind == "staff" ? service.ImportStaffAsync(job, rows, scope) : service.ImportSubjectsAsync(job, rows, scope));
    }

    private static async Task<IResult> RunAsync(ImportJob job, bool? wait, Func<Task<ImportJob>> run)
    {
        if (wait == false)
        {
            // The request's services outlive it: every store here is a singleton.
            _ = Task.Run(run);
            return TypedResults.Accepted($"/api/org/v1/imports/{job.Id}", job);
        }

        return Result(await run());
    }

    private static IResult Result(ImportJob job) => job.Status != "failed"
        ? TypedResults.Ok(job)
        : TypedResults.Problem(
            statusCode: 400,
            title: "The import was refused; nothing was written",
            detail: $"{job.Errors.Count} row error(s){(job.Errors.Count >= ImportService.MaxReportedErrors ? " (first " + ImportService.MaxReportedErrors + " shown)" : "")}.",
            extensions: new Dictionary<string, object?>
            {
                ["jobId"] = job.Id,
                ["rowErrors"] = job.Errors,
                ["errors"] = job.Errors.GroupBy(e => $"rows[{e.Row}].{e.Field}").ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            });
}
