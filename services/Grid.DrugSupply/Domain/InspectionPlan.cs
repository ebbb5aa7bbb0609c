namespace Grid.DrugSupply.Domain;

/// <summary>
/// 检查计划 of a supply point: a daily inspection (日常检查) due every <see cref="EveryDays"/> days. Points without a plan
/// of their own follow the configured default for their kind. Surprise checks (突击检查) are unannounced, so no plan
/// requires them; they are counted beside the plan.
/// </summary>
public sealed class InspectionPlan
{
    public Guid PointId { get; set; }

    public int EveryDays { get; set; }

    public string SetBy { get; set; } = "";

    public DateTimeOffset SetAt { get; set; }
}

/// <summary>The <c>Drugs:Inspections</c> section: the default interval of daily inspections per kind of point.</summary>
public sealed class InspectionPlanOptions
{
    /// <summary>Days between daily inspections by kind; a kind not listed falls back to <see cref="DefaultEveryDays"/>.</summary>
    public Dictionary<SupplyPointKind, int> EveryDays { get; set; } = [];

    public int DefaultEveryDays { get; set; } = 30;

    /// <summary>Township pharmacies and sellers monthly, village cabinets every two months.</summary>
    public static readonly IReadOnlyDictionary<SupplyPointKind, int> Defaults = new Dictionary<SupplyPointKind, int>
    {
        [SupplyPointKind.TownshipPharmacy] = 30,
        [SupplyPointKind.CommunityHealthCentre] = 30,
        [SupplyPointKind.VillageCabinet] = 60,
        [SupplyPointKind.ChainStore] = 30,
        [SupplyPointKind.RetailPharmacy] = 30,
    };

    public int For(SupplyPointKind kind) =>
        EveryDays.TryGetValue(kind, out var d) ? d : Defaults.TryGetValue(kind, out var x) ? x : DefaultEveryDays;
}

/// <summary>One point's daily inspections against its plan over a period, with its surprise checks beside.</summary>
public sealed record PointCompliance(
    Guid PointId, string Name, SupplyPointKind Kind, string GridId, string? TownshipId, int EveryDays, int Required, int Done,
    int Surprise, DateOnly? LastDailyOn, DateOnly DueOn, bool Overdue);

/// <summary>Required against done for a set of points.</summary>
public sealed record ComplianceTotals(string GridId, string Name, int Points, int Required, int Done, decimal? Rate, int Surprise, int Overdue)
{
    public static ComplianceTotals Of(string id, string name, IReadOnlyCollection<PointCompliance> rows)
    {
        var required = rows.Sum(r => r.Required);
        var done = rows.Sum(r => r.Done);
        return new(id, name, rows.Count, required, done, required == 0 ? null : Math.Round(100m * done / required, 1), rows.Sum(r => r.Surprise), rows.Count(r => r.Overdue));
    }
}

/// <summary>
/// 日常检查 compliance, pure: the period [from, to] is cut into windows of the plan's interval, starting on the later of
/// <c>from</c> and the day the point was filed; each window that has ended before today requires one daily inspection,
/// and is done when one falls in it (extra inspections in one window do not make up for a missed one). A point is
/// overdue when today is past its last daily inspection (or its filing) plus the interval.
/// </summary>
public static class InspectionCompliance
{
    public static PointCompliance Of(
        SupplyPoint p, string? townshipId, int everyDays, IReadOnlyList<DateOnly> daily, int surprise, DateOnly from, DateOnly to, DateOnly today)
    {
        var filed = DrugsDay.Of(p.CreatedAt);
        var start = filed > from ? filed : from;
        int required = 0, done = 0;
        for (var w = start; w.AddDays(everyDays - 1) <= to && w.AddDays(everyDays - 1) < today; w = w.AddDays(everyDays))
        {
            var end = w.AddDays(everyDays - 1);
            required++;
            if (daily.Any(d => d >= w && d <= end))
            {
                done++;
            }
        }

        DateOnly? last = daily.Where(d => d <= today).Select(d => (DateOnly?)d).Max();
        var due = (last ?? filed).AddDays(everyDays);
        return new PointCompliance(p.Id, p.Name, p.Kind, p.GridId, townshipId, everyDays, required, done, surprise, last, due, due < today);
    }
}
