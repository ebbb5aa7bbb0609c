using System.Globalization;
using Grid.CommandCenter.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;

namespace Grid.CommandCenter.Apis;

internal static class ApiHelpers
{
    public const int MaxIdLength = 100;

    public static ValidationProblem Invalid(string field, string why) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [why] });

    public static bool BadId(string? value) => value is not null && (value.Length is 0 or > MaxIdLength || value.Any(char.IsControl));

    /// <summary>A CST calendar date (yyyy-MM-dd) as the UTC instant of its midnight in China.</summary>
    public static bool TryDate(string? text, out DateTime utc)
    {
        utc = default;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return false;
        }

        utc = DateTime.SpecifyKind(d.ToDateTime(TimeOnly.MinValue) - TimeSlots.ChinaOffset, DateTimeKind.Utc);
        return true;
    }

    /// <summary>A CST month (yyyy-MM) as the UTC instant its first day begins in China.</summary>
    public static bool TryMonth(string? text, out DateTime utc)
    {
        utc = default;
        if (!DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m) || m.Year < 2000 || m.Year > 2100)
        {
            return false;
        }

        utc = DateTime.SpecifyKind(m - TimeSlots.ChinaOffset, DateTimeKind.Utc);
        return true;
    }

    /// <summary>The caller's bearer token, passed on to the organization service so that it answers within the caller's rights.</summary>
    public static string? Bearer(HttpContext http) =>
        http.Request.Headers.Authorization.FirstOrDefault() is { } h && h.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? h[7..] : null;

    public static DateTime ChinaNow(TimeProvider clock) => clock.GetUtcNow().UtcDateTime + TimeSlots.ChinaOffset;

    public static async Task<FileContentHttpResult> Excel(string fileName, object sheets)
    {
        using var stream = new MemoryStream();
        await stream.SaveAsAsync(sheets);
        return TypedResults.File(stream.ToArray(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fileName);
    }

    public static string Cst(DateTime? utc) => utc is { } t ? (t + TimeSlots.ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
}
