using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>
/// 批量建档: employer files from a CSV or XLSX sheet, all or nothing. Every row is checked first (fields, grid,
/// the caller's grid scope, a subject twice in the file); only a sheet without errors is written, in one
/// transaction, and a subject already on file is updated (re-collection, 动态采集). Errors name the row as a
/// person sees it in the sheet (the header is row 1) and the column.
/// </summary>
public static class EmployerImportApi
{
    public static RouteGroupBuilder MapEmployerImportApi(this RouteGroupBuilder api)
    {
        api.MapPost("/employers/import", Import)
            .WithSummary("Import employer files from CSV or XLSX: all rows or none; errors by row.")
            .Accepts<IFormFile>("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return api;
    }

    private static async Task<IResult> Import(
        HttpRequest request, ClaimsPrincipal user, EmployerImporter importer, LaborOptions options, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.FileManagers) is { } denied)
        {
            return denied;
        }

        var type = request.ContentType ?? "";
        var excel = type.Contains("spreadsheetml", StringComparison.OrdinalIgnoreCase) || type.Contains("excel", StringComparison.OrdinalIgnoreCase);
        if (!excel && !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return GridProblems.Invalid("Content-Type", "must be text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        List<Dictionary<string, string>> rows;
        try
        {
            rows = EmployerSheet.Read(buffer, excel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return GridProblems.Invalid("body", $"The file could not be read as {(excel ? "XLSX" : "CSV")}: {e.Message}");
        }

        if (rows.Count == 0 || rows.Count > options.MaxImportRows)
        {
            return GridProblems.Invalid("body", $"must hold between 1 and {options.MaxImportRows} rows");
        }

        ImportResult result;
        try
        {
            result = await importer.ImportAsync(rows, user, ct);
        }
        catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Filed meanwhile",
                detail: "An employer of this sheet was filed by someone else while it was imported; nothing was written. Import it again.");
        }

        if (result.Errors.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The import was refused",
                detail: $"{result.Errors.Count} problem(s) in {rows.Count} rows; nothing was written.",
                extensions: new Dictionary<string, object?> { ["rows"] = result.Errors, ["written"] = 0 });
        }

        return TypedResults.Ok(new { created = result.Created, updated = result.Updated, written = result.Created + result.Updated });
    }
}
