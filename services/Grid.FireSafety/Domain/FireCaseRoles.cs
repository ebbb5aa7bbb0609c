using Grid.Contracts.Roles;
using static Grid.FireSafety.Domain.FireRoles;

namespace Grid.FireSafety.Domain;

/// <summary>
/// 岗位权限 of fire's case steps (Casework step → fire roles). The finder reports; the township fire office, the
/// police station and the brigade accept, order rectification (dispatch) and re-inspect; the village fire manager
/// re-checks on-the-spot fixes (002-篇2: 中网格员 "隐患复查"); only the reward centre reads reporters.
/// Configuration (Casework:Roles:&lt;step&gt;) overrides a step.
/// </summary>
public static class FireCaseRoles
{
    public static readonly IReadOnlyDictionary<string, string[]> Defaults = new Dictionary<string, string[]>
    {
        ["report"] = [GridWorker, Patrol, VillageFireManager, FireSupervisor, PoliceStation, TownshipFireOffice, FireBrigade, RewardCentre],
        ["read"] = Staff,
        ["accept"] = [TownshipFireOffice, PoliceStation, FireBrigade, CountyPublicSecurity],
        ["reject"] = [TownshipFireOffice, PoliceStation, FireBrigade, CountyPublicSecurity],
        ["dispatch"] = [TownshipFireOffice, PoliceStation, FireBrigade, CountyPublicSecurity],
        ["start"] = [GridWorker, VillageFireManager, TownshipFireOffice, PoliceStation, FireBrigade],
        ["handle"] = [GridWorker, VillageFireManager, TownshipFireOffice, PoliceStation, FireBrigade],
        ["verify-pass"] = [VillageFireManager, TownshipFireOffice, PoliceStation, FireBrigade],
        ["verify-fail"] = [VillageFireManager, TownshipFireOffice, PoliceStation, FireBrigade],
        ["close"] = [VillageFireManager, TownshipFireOffice, PoliceStation, FireBrigade, CountyPublicSecurity],
        ["escalate"] = [GridWorker, VillageFireManager, TownshipFireOffice, PoliceStation],
        ["transfer"] = [TownshipFireOffice, PoliceStation, FireBrigade],
        ["summon"] = [TownshipFireOffice, FireBrigade],
        ["report-for-duty"] = [GridRoles.Liaison, TownshipFireOffice],
        ["audit"] = [GridRoles.Auditor],
        ["reporter"] = [RewardCentre],
    };
}
