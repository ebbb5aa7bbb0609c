using System.Globalization;
using Grid.LaborInspection.Domain;
using MiniExcelLibs;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>One problem with one row of an import: the row as a person sees it in the sheet (header = row 1) and the column.</summary>
public sealed record RowError(int Row, string Field, string Message);

/// <summary>
/// The import sheet: one employer a row, columns by their API names or the Chinese headers a bureau's ledger uses
/// (单位名称, 单位类型, 统一社会信用代码, 网格, 地址, 法定代表人, 联系电话, 用工人数, 已签合同人数, 合同到期人数, 参保人数,
/// 工资发放至, 工时制度, 周工时).
/// </summary>
public static class EmployerSheet
{
    private static readonly Dictionary<string, string> Headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["单位名称"] = "name",
        ["单位类型"] = "kind",
        ["统一社会信用代码"] = "subjectId",
        ["网格"] = "gridId",
        ["地址"] = "address",
        ["法定代表人"] = "legalRepresentative",
        ["联系电话"] = "phone",
        ["用工人数"] = "headcount",
        ["已签合同人数"] = "contractsSigned",
        ["合同到期人数"] = "contractsDue",
        ["参保人数"] = "insuranceEnrolled",
        ["工资发放至"] = "wagesPaidThrough",
        ["工时制度"] = "workingHours",
        ["周工时"] = "weeklyHours",
    };

    private static readonly Dictionary<string, EmployerKind> KindNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["企业"] = EmployerKind.Company,
        ["个体工商户"] = EmployerKind.IndividualBusiness,
        ["机关事业单位"] = EmployerKind.PublicUnit,
    };

    /// <summary>Rows as API column name → text.</summary>
    public static List<Dictionary<string, string>> Read(Stream seekable, bool excel)
    {
        var rows = new List<Dictionary<string, string>>();
        foreach (IDictionary<string, object?> r in MiniExcel.Query(seekable, useHeaderRow: true, excelType: excel ? ExcelType.XLSX : ExcelType.CSV))
        {
            rows.Add(r.ToDictionary(
                kv => Headers.TryGetValue(kv.Key.Trim(), out var api) ? api : kv.Key.Trim(),
                kv => kv.Value switch
                {
                    DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    _ => Convert.ToString(kv.Value, CultureInfo.InvariantCulture)?.Trim() ?? "",
                },
                StringComparer.OrdinalIgnoreCase));
        }

        return rows;
    }

    /// <summary>The row's facts, with the cells that are not of their type as errors of that row.</summary>
    public static EmployerFacts Parse(Dictionary<string, string> row, int line, List<RowError> errors)
    {
        string? Cell(string c) => row.TryGetValue(c, out var v) && v.Length > 0 ? v : null;
        int? Int(string c)
        {
            if (Cell(c) is not { } s)
            {
                return null;
            }

            if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            errors.Add(new RowError(line, c, $"'{s}' is not a whole number"));
            return null;
        }

        T? Enum<T>(string c, IReadOnlyDictionary<string, T>? names = null)
            where T : struct, System.Enum
        {
            if (Cell(c) is not { } s)
            {
                return null;
            }

            if (names is not null && names.TryGetValue(s, out var named))
            {
                return named;
            }

            if (System.Enum.TryParse<T>(s, ignoreCase: true, out var v) && System.Enum.IsDefined(v) && !int.TryParse(s, out _))
            {
                return v;
            }

            errors.Add(new RowError(line, c, $"'{s}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}"));
            return null;
        }

        DateOnly? paid = null;
        if (Cell("wagesPaidThrough") is { } p)
        {
            if (DateOnly.TryParseExact(p, ["yyyy-MM", "yyyy-MM-dd", "yyyy/MM", "yyyy/M/d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                paid = d;
            }
            else
            {
                errors.Add(new RowError(line, "wagesPaidThrough", $"'{p}' is not a month (yyyy-MM)"));
            }
        }

        decimal? hours = null;
        if (Cell("weeklyHours") is { } h)
        {
            if (decimal.TryParse(h, NumberStyles.Number, CultureInfo.InvariantCulture, out var w))
            {
                hours = w;
            }
            else
            {
                errors.Add(new RowError(line, "weeklyHours", $"'{h}' is not a number"));
            }
        }

        return new EmployerFacts(
            Cell("name"), Enum("kind", KindNames), Cell("subjectId"), Cell("gridId"), Cell("address"), Cell("legalRepresentative"), Cell("phone"),
            Int("headcount"), Int("contractsSigned"), Int("contractsDue"), Int("insuranceEnrolled"), paid, Enum<WorkingHours>("workingHours"), hours);
    }
}
