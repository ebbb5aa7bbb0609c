using Grid.Contracts.Events;

namespace Grid.Organization.Domain;

/// <summary>岗位 Roles a staff member holds for a grid (DOMAIN.md §3).</summary>
public static class StaffRoles
{
    /// <summary>网格长.</summary>
    public const string GridChief = "grid-chief";

    /// <summary>片区网格长.</summary>
    public const string AreaGridChief = "area-grid-chief";

    /// <summary>网格员.</summary>
    public const string GridWorker = "grid-worker";

    /// <summary>网格指导员.</summary>
    public const string GridInstructor = "grid-instructor";

    /// <summary>信息员.</summary>
    public const string Informant = "informant";

    /// <summary>协管员.</summary>
    public const string Assistant = "assistant";

    /// <summary>监督员.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>联络员 (one per department).</summary>
    public const string Liaison = "liaison";

    /// <summary>分管领导.</summary>
    public const string LeaderInCharge = "leader-in-charge";

    /// <summary>消防监督员.</summary>
    public const string FireSupervisor = "fire-supervisor";

    /// <summary>社区民警.</summary>
    public const string CommunityPolice = "community-police";

    /// <summary>安监员.</summary>
    public const string SafetyOfficer = "safety-officer";

    /// <summary>环保专干.</summary>
    public const string EnvironmentOfficer = "environment-officer";

    /// <summary>劳动监察员.</summary>
    public const string LaborInspector = "labor-inspector";

    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>
    {
        [GridChief] = "网格长",
        [AreaGridChief] = "片区网格长",
        [GridWorker] = "网格员",
        [GridInstructor] = "网格指导员",
        [Informant] = "信息员",
        [Assistant] = "协管员",
        [Supervisor] = "监督员",
        [Liaison] = "联络员",
        [LeaderInCharge] = "分管领导",
        [FireSupervisor] = "消防监督员",
        [CommunityPolice] = "社区民警",
        [SafetyOfficer] = "安监员",
        [EnvironmentOfficer] = "环保专干",
        [LaborInspector] = "劳动监察员",
    };

    public static bool IsKnown(string role) => Chinese.ContainsKey(role);
}

/// <summary>Roles of accounts rather than of grid posts.</summary>
public static class SystemRoles
{
    /// <summary>系统管理员: everything everywhere.</summary>
    public const string Admin = "admin";

    /// <summary>组织管理员: administers grids, staff and subjects within its grid scope.</summary>
    public const string OrgAdmin = "org-admin";

    /// <summary>A service client (client-credentials token).</summary>
    public const string Service = "service";

    public static readonly IReadOnlyList<string> All = [Admin, OrgAdmin, Service];
}

/// <summary>部门类别 Kinds of department.</summary>
public static class DepartmentKinds
{
    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>
    {
        ["fire-brigade"] = "消防救援大队",
        ["police-station"] = "派出所",
        ["safety-office"] = "安监站",
        ["environment-bureau"] = "生态环境分局",
        ["labor-brigade"] = "劳动保障监察大队",
        ["drug-authority"] = "市场监督管理所",
        ["discipline-commission"] = "纪委监委",
        ["township-government"] = "乡镇人民政府",
        ["grid-office"] = "网格化服务管理中心",
    };

    public static bool IsKnown(string kind) => Chinese.ContainsKey(kind);
}

/// <summary>监管对象类别 Kinds of regulated subject.</summary>
public static class SubjectKinds
{
    public static readonly IReadOnlyList<string> All = ["enterprise", "unit", "place", "building"];
}

/// <summary>The hierarchies a grid tree may belong to: the five domains plus the comprehensive grid.</summary>
public static class Hierarchies
{
    public static bool IsKnown(string h) => Domains.All.Contains(h);
}
