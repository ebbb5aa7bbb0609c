using Grid.Contracts.Events;
using Grid.Contracts.Roles;

namespace Grid.Organization.Domain;

/// <summary>岗位 The posts a staff member may hold on a grid: exactly <see cref="GridRoles.Posts"/>, the suite's one catalog.</summary>
public static class StaffRoles
{
    public const string GridChief = GridRoles.GridChief;
    public const string AreaGridChief = GridRoles.AreaGridChief;
    public const string GridWorker = GridRoles.GridWorker;
    public const string GridInstructor = GridRoles.GridInstructor;
    public const string Informant = GridRoles.Informant;
    public const string Assistant = GridRoles.Assistant;
    public const string Supervisor = GridRoles.Supervisor;
    public const string Liaison = GridRoles.Liaison;
    public const string LeaderInCharge = GridRoles.LeaderInCharge;
    public const string FireSupervisor = GridRoles.FireSupervisor;
    public const string CommunityPolice = GridRoles.CommunityPolice;
    public const string SafetyOfficer = GridRoles.SafetyOfficer;
    public const string EnvironmentOfficer = GridRoles.EnvironmentOfficer;
    public const string LaborInspector = GridRoles.LaborInspector;
    public const string LaborCoordinator = GridRoles.LaborCoordinator;

    /// <summary>Post → its Chinese name (公示 boards show these).</summary>
    public static readonly IReadOnlyDictionary<string, string> Chinese = GridRoles.Posts.ToDictionary(p => p.Role, p => p.Name);

    public static bool IsKnown(string role) => GridRoles.IsPost(role);
}

/// <summary>Roles of accounts rather than of grid posts.</summary>
public static class SystemRoles
{
    /// <summary>系统管理员: everything everywhere.</summary>
    public const string Admin = GridRoles.Admin;

    /// <summary>组织管理员: administers grids, staff and subjects within its grid scope.</summary>
    public const string OrgAdmin = GridRoles.OrgAdmin;

    /// <summary>A service client (client-credentials token).</summary>
    public const string Service = GridRoles.Service;

    public static readonly IReadOnlyList<string> All = [Admin, OrgAdmin, Service];
}

/// <summary>部门类别 Kinds of department.</summary>
public static class DepartmentKinds
{
    public static readonly IReadOnlyDictionary<string, string> Chinese = new Dictionary<string, string>
    {
        ["fire-brigade"] = "消防救援大队",
        ["police-station"] = "派出所",
        ["police-bureau"] = "公安局",
        ["health-bureau"] = "卫生健康局",
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
