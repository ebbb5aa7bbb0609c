namespace Grid.DrugSupply.Domain;

/// <summary>The <c>Drugs</c> configuration section: every number the texts leave to local rules, with the texts' defaults.</summary>
public sealed class DrugOptions
{
    public const string Section = "Drugs";

    public CoverageTargets Targets { get; set; } = new();

    public NetworkLevels Network { get; set; } = new();

    /// <summary>Days a failed checklist item is given to be rectified (限期整改).</summary>
    public int RectificationDays { get; set; } = 15;

    public StorageRules Storage { get; set; } = new();

    public ReferralRules Referrals { get; set; } = new();

    public StaffOptions Staff { get; set; } = new();

    public InspectionPlanOptions Inspections { get; set; } = new();

    public AssessmentWeights Assessment { get; set; } = new();

    /// <summary>
    /// 联合行动小组: the departments summoned (吹哨) when a fake or substandard drug is confirmed — drug and market
    /// supervision (药监, 工商), public security (公安), health (卫生) — by code or id at the organization service.
    /// </summary>
    /// <remarks>Empty means <see cref="DefaultJointGroup"/> (configuration binding appends to a list's defaults).</remarks>
    public List<string> JointGroup { get; set; } = [];

    /// <summary>市场监督管理局 (药监 and 工商 since the merger), 县公安局, 县卫生健康局 of the demo county.</summary>
    public static readonly IReadOnlyList<string> DefaultJointGroup = ["DEPT-MARKET", "DEPT-POLICE", "DEPT-HEALTH"];

    public IReadOnlyList<string> JointGroupOrDefault => JointGroup.Count > 0 ? JointGroup : DefaultJointGroup;
}

/// <summary>
/// 两网建设 targets (000 篇10): village supply coverage 100 %; standard pharmacies in township-level institutions and
/// community health centres 100 %, in village clinics at least 80 %; GSP-certified sellers 100 %; GSP follow-up checks
/// in the year above 50 %. Percentages.
/// </summary>
public sealed class CoverageTargets
{
    public decimal VillageSupply { get; set; } = 100;

    public decimal TownshipStandard { get; set; } = 100;

    public decimal VillageStandard { get; set; } = 80;

    public decimal SellersCertified { get; set; } = 100;

    /// <summary>Strictly above: "跟踪检查率 50% 以上".</summary>
    public decimal GspFollowUp { get; set; } = 50;

    /// <summary>Townships with a coordinator (协管员) in service.</summary>
    public decimal Coordinators { get; set; } = 100;

    /// <summary>Villages with an informant (信息员) in service.</summary>
    public decimal Informants { get; set; } = 100;
}

/// <summary>Which depth of the drugs hierarchy (the county is 0) is a township and which a village.</summary>
public sealed class NetworkLevels
{
    public int TownshipDepth { get; set; } = 2;

    public int VillageDepth { get; set; } = 3;
}

/// <summary>储存条件: the bands readings must stay within, and how long outside is tolerated before a case opens.</summary>
public sealed class StorageRules
{
    public Band Normal { get; set; } = new() { Min = 10, Max = 30 };

    public Band Cold { get; set; } = new() { Min = 2, Max = 8 };

    public Band Humidity { get; set; } = new() { Min = 35, Max = 75 };

    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// 监测中断: a point that has sent readings and then none for this long is a case (one per silence); zero turns the
    /// scan off.
    /// </summary>
    public TimeSpan Silence { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the silence scan runs.</summary>
    public TimeSpan SilenceScanEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest batch one request may carry.</summary>
    public int MaxBatch { get; set; } = 1_000;
}

public sealed class Band
{
    public decimal Min { get; set; }

    public decimal Max { get; set; }

    public bool Holds(decimal value) => value >= Min && value <= Max;
}
