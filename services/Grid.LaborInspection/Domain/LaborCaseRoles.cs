using Grid.Contracts.Roles;
using static Grid.LaborInspection.Domain.LaborRoles;

namespace Grid.LaborInspection.Domain;

/// <summary>
/// 岗位权限 of labor's case steps (Casework step → labor roles). The village coordinator and the hotline take
/// complaints; the township labor office decides on them (受理/不予受理), assigns inspectors and settles ordinary
/// disputes; inspectors investigate and report back; the district brigade takes major cases. The complainant's
/// identity is read only by the office and the brigade, never by the inspector on the case (保密).
/// Configuration (Casework:Roles:&lt;step&gt;) overrides a step.
/// </summary>
public static class LaborCaseRoles
{
    public static readonly IReadOnlyDictionary<string, string[]> Defaults = new Dictionary<string, string[]>
    {
        ["report"] = [Coordinator, Hotline, Inspector, Office, Brigade],
        ["read"] = Staff,
        ["accept"] = [Office, Brigade],
        ["reject"] = [Office, Brigade],
        ["dispatch"] = [Office, Brigade],
        ["start"] = [Inspector, Office, Brigade],
        ["handle"] = [Inspector, Office, Brigade],
        ["verify-pass"] = [Office, Brigade],
        ["verify-fail"] = [Office, Brigade],
        ["close"] = [Office, Brigade],
        ["escalate"] = [Coordinator, Inspector, Office],
        ["transfer"] = [Office, Brigade],
        ["summon"] = [Office, Brigade],
        ["report-for-duty"] = [GridRoles.Liaison, Office],
        ["audit"] = [GridRoles.Auditor],
        ["reporter"] = [Office, Brigade],
    };
}
