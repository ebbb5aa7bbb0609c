namespace Grid.Casework.Domain;

/// <summary>案件编号: domain prefix + date (China Standard Time) + daily sequence, e.g. FIRE-20261123-0042.</summary>
public static class CaseNumber
{
    /// <summary>Case numbers follow the local working day of the county (UTC+8), not UTC.</summary>
    public static readonly TimeSpan LocalOffset = TimeSpan.FromHours(8);

    public static DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(LocalOffset).DateTime);

    public static string Format(string prefix, DateOnly day, long sequence) =>
        $"{prefix.ToUpperInvariant()}-{day:yyyyMMdd}-{sequence:D4}";
}
