namespace Grid.DrugSupply.Domain;

/// <summary>
/// 移送: a report outside drug supply's remit sent to the competent department — a price violation to the price
/// authority, unlicensed practice (无证行医) to health — and followed until its result comes back.
/// </summary>
public sealed class Referral
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    /// <summary>The department's id at the organization service, with its code and name as they were.</summary>
    public string DepartmentId { get; set; } = "";

    public string DepartmentCode { get; set; } = "";

    public string DepartmentName { get; set; } = "";

    public string? Reason { get; set; }

    public string ReferredBy { get; set; } = "";

    public DateTimeOffset ReferredAt { get; set; }

    /// <summary>When the department's result is due back.</summary>
    public DateTimeOffset ResultDueBy { get; set; }

    public string? Result { get; set; }

    public string? ResultRecordedBy { get; set; }

    public DateTimeOffset? ResultAt { get; set; }

    public string[] GridPath { get; set; } = [];
}

/// <summary>Where a report of a category goes by default, and how long the department has to answer.</summary>
public sealed class ReferralRules
{
    /// <summary>Category → department code: price → the price authority, unlicensed practice → health.</summary>
    public Dictionary<string, string> Departments { get; set; } = [];

    public static readonly IReadOnlyDictionary<string, string> DefaultDepartments = new Dictionary<string, string>
    {
        [DrugCaseCategories.Price] = "DEPT-PRICE",
        [DrugCaseCategories.UnlicensedPractice] = "DEPT-HEALTH",
    };

    public int ResultWithinDays { get; set; } = 15;

    public string? DepartmentFor(string category) =>
        Departments.TryGetValue(category, out var d) ? d : DefaultDepartments.TryGetValue(category, out var x) ? x : null;
}
