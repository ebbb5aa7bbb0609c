using Microsoft.AspNetCore.Http;
using MiniExcelLibs;

namespace Grid.Casework.Apis;

/// <summary>台账: a domain's ledger as one Excel sheet with Chinese column names, as bureaus file them.</summary>
public static class LedgerFile
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IResult Excel(string title, IEnumerable<Dictionary<string, object?>> rows)
    {
        var stream = new MemoryStream();
        var list = rows.ToList();
        if (list.Count == 0)
        {
            // An empty sheet would have no header row; say so in the one cell a reader sees.
            list.Add(new Dictionary<string, object?> { ["(无记录)"] = null });
        }

        stream.SaveAs(list, sheetName: title);
        stream.Position = 0;
        return TypedResults.File(stream, ContentType, $"{title}.xlsx");
    }
}
