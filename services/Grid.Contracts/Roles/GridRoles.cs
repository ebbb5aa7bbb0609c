namespace Grid.Contracts.Roles;

/// <summary>
/// 岗位目录 The one catalog of roles a token's posts (<c>role@domain:grid</c>) may carry. Every domain's step checks name
/// roles from here, and the organization service assigns exactly the posts listed in <see cref="Posts"/>, so a
/// role a service checks is always a role an administrator can give someone.
/// </summary>
public static class GridRoles
{
    // Account roles (on the staff account, not on a grid post).

    /// <summary>系统管理员: everything everywhere (except reading reporter identities).</summary>
    public const string Admin = "admin";

    /// <summary>组织管理员: administers grids, staff and subjects within its grid scope.</summary>
    public const string OrgAdmin = "org-admin";

    // Client roles (client-credentials tokens of systems, never of people).

    /// <summary>A Grid service calling another.</summary>
    public const string Service = "service";

    /// <summary>在线监控站: an online monitoring station's client; may push readings only.</summary>
    public const string Station = "station";

    /// <summary>A read-only client (the command centre's own token): reads grids and departments, takes no step.</summary>
    public const string Reader = "reader";

    // Grid posts (岗位), assigned to people on a grid of a domain's hierarchy.

    /// <summary>网格长.</summary>
    public const string GridChief = "grid-chief";

    /// <summary>片区网格长.</summary>
    public const string AreaGridChief = "area-grid-chief";

    /// <summary>网格员 (any level; the comprehensive grid's worker reports to every department by position).</summary>
    public const string GridWorker = "grid-worker";

    /// <summary>网格指导员.</summary>
    public const string GridInstructor = "grid-instructor";

    /// <summary>信息员.</summary>
    public const string Informant = "informant";

    /// <summary>协管员.</summary>
    public const string Assistant = "assistant";

    /// <summary>监督员.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>部门联络员: reports its department for duty when summoned (报到).</summary>
    public const string Liaison = "liaison";

    /// <summary>分管领导.</summary>
    public const string LeaderInCharge = "leader-in-charge";

    /// <summary>审计员: verifies the case audit chain.</summary>
    public const string Auditor = "auditor";

    /// <summary>有奖举报中心: the only role that reads who reported (举报保密).</summary>
    public const string RewardCentre = "reward-centre";

    /// <summary>指挥长 / 指挥中心值班: summons departments (吹哨).</summary>
    public const string Commander = "commander";

    /// <summary>联合指挥中心 (read only, environment).</summary>
    public const string Command = "command";

    /// <summary>消防监督员.</summary>
    public const string FireSupervisor = "fire-supervisor";

    /// <summary>县消防救援大队.</summary>
    public const string FireBrigade = "fire-brigade";

    /// <summary>县公安局.</summary>
    public const string CountyPublicSecurity = "county-public-security";

    /// <summary>派出所.</summary>
    public const string PoliceStation = "police-station";

    /// <summary>乡镇消防安全工作办公室 (with 安监办).</summary>
    public const string TownshipFireOffice = "township-fire-office";

    /// <summary>村居(社区)消防管理人员.</summary>
    public const string VillageFireManager = "village-fire-manager";

    /// <summary>保安、巡防队员、多种形式消防队员.</summary>
    public const string Patrol = "patrol";

    /// <summary>器材配置点、消防队的管理人.</summary>
    public const string Custodian = "custodian";

    /// <summary>社区民警.</summary>
    public const string CommunityPolice = "community-police";

    /// <summary>安监员.</summary>
    public const string SafetyOfficer = "safety-officer";

    /// <summary>环保局 (环境监察大队) staff.</summary>
    public const string EnvironmentBureau = "bureau";

    /// <summary>环保专干.</summary>
    public const string EnvironmentOfficer = "environment-officer";

    /// <summary>劳动保障监察员 (专兼职, at least two per township grid).</summary>
    public const string LaborInspector = "labor-inspector";

    /// <summary>劳动保障监察协管员 (two per village/community grid): collects employer files, takes complaints.</summary>
    public const string LaborCoordinator = "labor-coordinator";

    /// <summary>乡镇(街道)劳动保障所 / 劳动监察中队: settles ordinary disputes (调处).</summary>
    public const string LaborOffice = "labor-office";

    /// <summary>区(县)劳动保障监察大队: the district level, takes major cases.</summary>
    public const string LaborBrigade = "labor-brigade";

    /// <summary>12333 劳动保障咨询投诉热线 operator.</summary>
    public const string LaborHotline = "labor-hotline";

    /// <summary>纪检监察: the county or township discipline inspection commission; owns every cadre's file (一人一档).</summary>
    public const string Discipline = "discipline";

    /// <summary>用人单位干部监督联络人: speaks for a cadre's employing unit; sees its own cadres' warnings and tasks.</summary>
    public const string CadreUnit = "cadre-unit";

    /// <summary>The posts an administrator may assign to people, each with its Chinese name, in display order.</summary>
    public static readonly IReadOnlyList<RoleInfo> Posts =
    [
        new(GridChief, "网格长", "all"),
        new(AreaGridChief, "片区网格长", "all"),
        new(GridWorker, "网格员", "all"),
        new(GridInstructor, "网格指导员", "all"),
        new(Informant, "信息员", "all"),
        new(Assistant, "协管员", "all"),
        new(Supervisor, "监督员", "all"),
        new(Liaison, "联络员", "all"),
        new(LeaderInCharge, "分管领导", "all"),
        new(Auditor, "审计员", "all"),
        new(RewardCentre, "有奖举报中心", "all"),
        new(Commander, "指挥长", "command"),
        new(Command, "联合指挥中心(只读)", "environment"),
        new(FireSupervisor, "消防监督员", "fire"),
        new(FireBrigade, "消防救援大队", "fire"),
        new(CountyPublicSecurity, "县公安局", "fire"),
        new(PoliceStation, "派出所", "fire"),
        new(TownshipFireOffice, "乡镇消防安全工作办公室", "fire"),
        new(VillageFireManager, "村(社区)消防管理人员", "fire"),
        new(Patrol, "巡防队员", "fire"),
        new(Custodian, "消防器材管理人", "fire"),
        new(CommunityPolice, "社区民警", "comprehensive"),
        new(SafetyOfficer, "安监员", "comprehensive"),
        new(EnvironmentBureau, "环保局", "environment"),
        new(EnvironmentOfficer, "环保专干", "environment"),
        new(LaborInspector, "劳动保障监察员", "labor"),
        new(LaborCoordinator, "劳动保障监察协管员", "labor"),
        new(LaborOffice, "乡镇劳动保障所(监察中队)", "labor"),
        new(LaborBrigade, "区劳动保障监察大队", "labor"),
        new(LaborHotline, "劳动保障投诉热线(12333)", "labor"),
        new(Discipline, "纪检监察", "cadre"),
        new(CadreUnit, "用人单位干部监督联络人", "cadre"),
    ];

    /// <summary>Roles of accounts, granted by an administrator on the account itself.</summary>
    public static readonly IReadOnlyList<RoleInfo> Accounts =
    [
        new(Admin, "系统管理员", "all"),
        new(OrgAdmin, "组织管理员", "all"),
    ];

    /// <summary>Roles of client-credentials tokens (configured per client, never assigned to people).</summary>
    public static readonly IReadOnlyList<RoleInfo> Clients =
    [
        new(Service, "服务客户端", "all"),
        new(Station, "在线监控站", "environment"),
        new(Reader, "只读客户端", "all"),
    ];

    private static readonly HashSet<string> PostNames = Posts.Select(p => p.Role).ToHashSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="role"/> is a post an administrator may assign.</summary>
    public static bool IsPost(string? role) => role is not null && PostNames.Contains(role);

    /// <summary>Every role any service checks: posts, account roles and client roles.</summary>
    public static IEnumerable<RoleInfo> All => Posts.Concat(Accounts).Concat(Clients);
}

/// <summary>One role of the catalog: its claim value, its Chinese name (显示名) and the domain whose steps check it ("all" for every domain).</summary>
public sealed record RoleInfo(string Role, string Name, string UsedBy);
