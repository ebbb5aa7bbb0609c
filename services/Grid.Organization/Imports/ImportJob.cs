namespace Grid.Organization.Imports;

/// <summary>One problem with one row of an import: the row as a person sees it in the file (header = row 1).</summary>
public sealed record RowError(int Row, string Field, string Message);

/// <summary>导入任务 An import and its progress: processed of total rows, then written or the row errors.</summary>
public sealed class ImportJob
{
    public Guid Id { get; set; }

    public string Kind { get; set; } = "";

    /// <summary>running, succeeded, failed.</summary>
    public string Status { get; set; } = "";

    public int Total { get; set; }

    public int Processed { get; set; }

    public int Written { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public IReadOnlyList<RowError> Errors { get; set; } = [];
}
