using Grid.Contracts.Roles;
using static Grid.DrugSupply.Domain.DrugRoles;

namespace Grid.DrugSupply.Domain;

/// <summary>
/// 岗位权限 of drug supply's case steps (Casework step → roles). Informants and coordinators report (信息员 报告,
/// 协管员 巡查); the authority of the grid accepts, orders rectification, verifies, closes, transfers and summons the
/// joint action group; coordinators handle on the spot; only the reward centre reads who reported (举报保密).
/// Configuration (Casework:Roles:&lt;step&gt;) overrides a step.
/// </summary>
public static class DrugCaseRoles
{
    public static readonly IReadOnlyDictionary<string, string[]> Defaults = new Dictionary<string, string[]>
    {
        ["report"] = [Informant, Coordinator, Authority, GridRoles.GridWorker],
        ["read"] = [Authority, Coordinator, Informant, GridRoles.Liaison, GridRoles.Auditor],
        ["accept"] = [Authority],
        ["reject"] = [Authority],
        ["dispatch"] = [Authority],
        ["start"] = [Coordinator, Authority],
        ["handle"] = [Coordinator, Authority],
        ["verify-pass"] = [Authority],
        ["verify-fail"] = [Authority],
        ["close"] = [Authority],
        ["escalate"] = [Informant, Coordinator, Authority],
        ["transfer"] = [Authority],
        ["summon"] = [Authority],
        ["report-for-duty"] = [GridRoles.Liaison, Authority],
        ["audit"] = [GridRoles.Auditor],
        ["reporter"] = [GridRoles.RewardCentre],
    };
}
