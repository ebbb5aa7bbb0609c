namespace Grid.LaborInspection.Domain;

/// <summary>
/// 统计: one grid's figures for a period — complaints received and finished, finished within the legal time (by the
/// complaint's finish-by day, extension included), wage arrears claimed (the sums and workers of the complaints received
/// in the period) and recovered (agreed sums paid in the period, and the workers of those complaints), employers on file
/// and how many were inspected.
/// </summary>
public sealed record LaborFigures(
    string GridId, string? Name, int ComplaintsReceived, int ComplaintsFinished, int FinishedInTime, decimal ArrearsClaimed, int WorkersOwed,
    decimal ArrearsRecovered, int WorkersPaid, int EmployersFiled, int EmployersInspected, int Inspections)
{
    public double InTimeRate => Rate(FinishedInTime, ComplaintsFinished);

    public double InspectedRate => Rate(EmployersInspected, EmployersFiled);

    private static double Rate(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);

    /// <summary>排名: finished in time first, then the share of employers inspected, then the sum recovered, then the grid id.</summary>
    public static IReadOnlyList<(int Rank, LaborFigures Figures)> Ranked(IEnumerable<LaborFigures> rows) =>
        [.. rows.OrderByDescending(r => r.InTimeRate).ThenByDescending(r => r.InspectedRate).ThenByDescending(r => r.ArrearsRecovered)
            .ThenBy(r => r.GridId, StringComparer.Ordinal).Select((r, i) => (i + 1, r))];
}
