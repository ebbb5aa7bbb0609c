using System.Globalization;
using MiniExcelLibs;

namespace Grid.Organization.Imports;

/// <summary>Reading an import file: its rows as column → text, and the cells of a row as text, number or date, a bad cell a row error.</summary>
public static class ImportTable
{
    /// <summary>Rows of a CSV or XLSX file as column → text, header row first in the file.</summary>
    public static List<Dictionary<string, string>> ReadTable(Stream seekable, bool excel)
    {
        var rows = new List<Dictionary<string, string>>();
        foreach (IDictionary<string, object?> r in MiniExcel.Query(seekable, useHeaderRow: true, excelType: excel ? ExcelType.XLSX : ExcelType.CSV))
        {
            rows.Add(r.ToDictionary(kv => kv.Key.Trim(), kv => Convert.ToString(kv.Value, CultureInfo.InvariantCulture)?.Trim() ?? "", StringComparer.OrdinalIgnoreCase));
        }

        return rows;
    }

    public static string? Cell(Dictionary<string, string> row, string column) => row.TryGetValue(column, out var v) && v.Length > 0 ? v : null;

    public static double? Number(Dictionary<string, string> row, string column, List<RowError> errors, int line)
    {
        if (Cell(row, column) is not { } s)
        {
            return null;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            return d;
        }

        errors.Add(new RowError(line, column, $"'{s}' is not a number."));
        return null;
    }

    public static DateTime? Date(Dictionary<string, string> row, string column, List<RowError> errors, int line)
    {
        if (Cell(row, column) is not { } s)
        {
            return null;
        }

        if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d))
        {
            return d;
        }

        errors.Add(new RowError(line, column, $"'{s}' is not a date."));
        return null;
    }

    public static void Collect(Dictionary<string, string[]> fieldErrors, List<RowError> errors, int line)
    {
        foreach (var (f, msgs) in fieldErrors)
        {
            errors.AddRange(msgs.Select(m => new RowError(line, f, m)));
        }
    }
}

/// <summary>
/// A column that names one record per value (a staff number, a credit code): a value already stored, or already in an
/// earlier row of the file, is a row error naming the field.
/// </summary>
public sealed class UniqueColumn(string field, string label, IReadOnlySet<string> stored, string storedMessage)
{
    private readonly Dictionary<string, int> _seen = [];

    public void Check(string value, int line, List<RowError> errors)
    {
        if (stored.Contains(value))
        {
            errors.Add(new RowError(line, field, $"{label} {value} {storedMessage}."));
        }
        else if (_seen.TryGetValue(value, out var first))
        {
            errors.Add(new RowError(line, field, $"{label} {value} already appears in row {first}."));
        }
        else
        {
            _seen[value] = line;
        }
    }
}
