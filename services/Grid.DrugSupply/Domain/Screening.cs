namespace Grid.DrugSupply.Domain;

/// <summary>抽验: a rapid-screening sample (快检车 初筛) taken at a supply point, and what the screening and the lab found.</summary>
public sealed class Sample
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    public string Product { get; set; } = "";

    public string BatchNumber { get; set; } = "";

    public string Manufacturer { get; set; } = "";

    public string SampledBy { get; set; } = "";

    public DateTimeOffset SampledAt { get; set; }

    /// <summary>初筛结果.</summary>
    public ScreeningResult Screening { get; set; }

    /// <summary>The case a suspicious sample opened.</summary>
    public Guid? CaseId { get; set; }

    /// <summary>检验结论, once the lab has answered.</summary>
    public LabVerdict? Verdict { get; set; }

    public string? LabReport { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>The major case a confirmed fake or substandard drug opened (假劣药品案件).</summary>
    public Guid? MajorCaseId { get; set; }

    public string[] GridPath { get; set; } = [];

    public string GridId { get; set; } = "";
}

public enum ScreeningResult
{
    /// <summary>初筛合格.</summary>
    Pass,

    /// <summary>初筛可疑: to the lab.</summary>
    Suspicious,
}

public enum LabVerdict
{
    /// <summary>合格.</summary>
    Genuine,

    /// <summary>假药.</summary>
    Fake,

    /// <summary>劣药.</summary>
    Substandard,
}

/// <summary>购进记录: a batch a point received, so a batch found fake can be blocked wherever it went.</summary>
public sealed class Purchase
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    public string Product { get; set; } = "";

    public string BatchNumber { get; set; } = "";

    public string Manufacturer { get; set; } = "";

    public int Quantity { get; set; }

    public string Supplier { get; set; } = "";

    public string? InvoiceNumber { get; set; }

    public DateOnly ReceivedOn { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>控制/召回: a confirmed fake or substandard batch blocked at one point that holds it.</summary>
public sealed class Recall
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    public Guid SampleId { get; set; }

    public string Product { get; set; } = "";

    public string BatchNumber { get; set; } = "";

    public string Manufacturer { get; set; } = "";

    public int Quantity { get; set; }

    public LabVerdict Verdict { get; set; }

    public DateTimeOffset BlockedAt { get; set; }

    public string[] GridPath { get; set; } = [];
}
