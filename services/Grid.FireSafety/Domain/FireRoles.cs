namespace Grid.FireSafety.Domain;

/// <summary>The roles fire's endpoints know, as tokens carry them in the <c>role</c> claim.</summary>
public static class FireRoles
{
    public const string Admin = "admin";

    /// <summary>县消防大队 (消防救援大队).</summary>
    public const string FireBrigade = "fire-brigade";

    /// <summary>县公安局.</summary>
    public const string CountyPublicSecurity = "county-public-security";

    /// <summary>派出所 / 社区民警.</summary>
    public const string PoliceStation = "police-station";

    /// <summary>乡镇消防安全工作办公室 (with 安监办).</summary>
    public const string TownshipFireOffice = "township-fire-office";

    /// <summary>消防监督员.</summary>
    public const string FireSupervisor = "fire-supervisor";

    /// <summary>村居(社区)消防管理人员 (中网格).</summary>
    public const string VillageFireManager = "village-fire-manager";

    /// <summary>网格员 (any level).</summary>
    public const string GridWorker = "grid-worker";

    /// <summary>保安、巡防队员、多种形式消防队员.</summary>
    public const string Patrol = "patrol";

    /// <summary>火灾隐患有奖举报中心: the only role that sees who reported.</summary>
    public const string RewardCentre = "reward-centre";

    /// <summary>器材配置点/消防队的管理人.</summary>
    public const string Custodian = "custodian";

    /// <summary>Everyone who works fire cases and records.</summary>
    public static readonly string[] Staff =
    [
        Admin, FireBrigade, CountyPublicSecurity, PoliceStation, TownshipFireOffice, FireSupervisor,
        VillageFireManager, GridWorker, Patrol, RewardCentre, Custodian,
    ];

    /// <summary>May register and edit places (建档).</summary>
    public static readonly string[] PlaceKeepers =
        [Admin, FireBrigade, PoliceStation, TownshipFireOffice, VillageFireManager, GridWorker];

    /// <summary>May record inspections and patrols.</summary>
    public static readonly string[] Inspectors =
        [Admin, FireBrigade, PoliceStation, TownshipFireOffice, FireSupervisor, VillageFireManager, GridWorker, Patrol];

    /// <summary>May order rectification and re-inspect (督促限期整改, 复查).</summary>
    public static readonly string[] Rectifiers = [Admin, FireBrigade, PoliceStation, TownshipFireOffice];

    /// <summary>May open and run listed supervision (挂牌督办).</summary>
    public static readonly string[] Supervisors = [Admin, FireBrigade, CountyPublicSecurity];
}
