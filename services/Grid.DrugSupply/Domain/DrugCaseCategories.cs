namespace Grid.DrugSupply.Domain;

/// <summary>The categories of drug supply's cases.</summary>
public static class DrugCaseCategories
{
    /// <summary>限期整改: a failed item of the standard-pharmacy checklist.</summary>
    public const string Rectification = "rectification";

    /// <summary>储存条件超标: an out-of-band storage episode past the grace period.</summary>
    public const string Storage = "storage";

    /// <summary>监测中断: a point's storage sensors silent for longer than the configured window.</summary>
    public const string SilentSensor = "silent-sensor";

    /// <summary>快检可疑: a suspicious rapid-screening sample, to the lab.</summary>
    public const string Screening = "screening";

    /// <summary>假劣药品: a fake or substandard drug confirmed by the lab.</summary>
    public const string FakeDrug = "fake-drug";

    /// <summary>价格违法 (举报): for the price authority.</summary>
    public const string Price = "price";

    /// <summary>无证行医 (举报): for the health authority.</summary>
    public const string UnlicensedPractice = "unlicensed-practice";

    /// <summary>Any other report (药品质量, 非法经营 ...).</summary>
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Rectification, Storage, SilentSensor, Screening, FakeDrug, Price, UnlicensedPractice, Other];
}
