using Grid.Contracts.Roles;

namespace Grid.FireSafety.Domain;

/// <summary>The roles fire's endpoints know, as tokens carry them in the <c>role</c> claim (names from <see cref="GridRoles"/>).</summary>
public static class FireRoles
{
    public const string Admin = GridRoles.Admin;

    /// <summary>县消防大队 (消防救援大队).</summary>
    public const string FireBrigade = GridRoles.FireBrigade;

    /// <summary>县公安局.</summary>
    public const string CountyPublicSecurity = GridRoles.CountyPublicSecurity;

    /// <summary>派出所 / 社区民警.</summary>
    public const string PoliceStation = GridRoles.PoliceStation;

    /// <summary>乡镇消防安全工作办公室 (with 安监办).</summary>
    public const string TownshipFireOffice = GridRoles.TownshipFireOffice;

    /// <summary>消防监督员.</summary>
    public const string FireSupervisor = GridRoles.FireSupervisor;

    /// <summary>村居(社区)消防管理人员 (中网格).</summary>
    public const string VillageFireManager = GridRoles.VillageFireManager;

    /// <summary>网格员 (any level).</summary>
    public const string GridWorker = GridRoles.GridWorker;

    /// <summary>保安、巡防队员、多种形式消防队员.</summary>
    public const string Patrol = GridRoles.Patrol;

    /// <summary>火灾隐患有奖举报中心: the only role that sees who reported.</summary>
    public const string RewardCentre = GridRoles.RewardCentre;

    /// <summary>器材配置点/消防队的管理人.</summary>
    public const string Custodian = GridRoles.Custodian;

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
