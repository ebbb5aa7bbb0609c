using Grid.Contracts.Roles;
using static Grid.CadreSupervision.Domain.CadreRoles;

namespace Grid.CadreSupervision.Domain;

/// <summary>
/// 岗位权限 of the case steps of a resident's report (Casework step → roles). Supervisors and grid chiefs pass reports
/// on; only the discipline commission reads, handles and closes them, and only it may open who reported (举报保密: every
/// opening is an audit entry). Configuration (Casework:Roles:&lt;step&gt;) overrides a step.
/// </summary>
public static class CadreCaseRoles
{
    public static readonly IReadOnlyDictionary<string, string[]> Defaults = new Dictionary<string, string[]>
    {
        ["report"] = Recorders,
        ["read"] = [Discipline],
        ["accept"] = [Discipline],
        ["reject"] = [Discipline],
        ["dispatch"] = [Discipline],
        ["start"] = [Discipline],
        ["handle"] = [Discipline],
        ["verify-pass"] = [Discipline],
        ["verify-fail"] = [Discipline],
        ["close"] = [Discipline],
        ["escalate"] = [Discipline],
        ["transfer"] = [Discipline],
        ["summon"] = [Discipline],
        ["report-for-duty"] = [GridRoles.Liaison],
        ["audit"] = [GridRoles.Auditor, Discipline],
        ["reporter"] = [Discipline],
    };
}
