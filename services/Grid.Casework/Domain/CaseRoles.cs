using Grid.Contracts.Roles;

namespace Grid.Casework.Domain;

/// <summary>
/// 岗位权限: which roles may take each step. Defaults follow the texts: the grid worker (网格员) reports and
/// handles, the grid chief (网格长) accepts, dispatches, verifies and closes, the administrator does
/// everything except read reporter identities, which only the reward centre sees (举报保密). Configurable
/// per step under <c>Casework:Roles:&lt;step&gt;</c>.
/// </summary>
public sealed class CaseRoles
{
    public const string Admin = GridRoles.Admin;
    public const string GridChief = GridRoles.GridChief;
    public const string GridWorker = GridRoles.GridWorker;
    public const string Informant = GridRoles.Informant;
    public const string Liaison = GridRoles.Liaison;
    public const string RewardCentre = GridRoles.RewardCentre;
    public const string Auditor = GridRoles.Auditor;

    /// <summary>Steps that are not life-cycle actions.</summary>
    public const string Report = "report";
    public const string Read = "read";
    public const string Summon = "summon";
    public const string ReportForDuty = "report-for-duty";
    public const string AuditVerify = "audit";
    public const string ReadReporter = "reporter";

    public static Dictionary<string, string[]> Defaults() => new(StringComparer.OrdinalIgnoreCase)
    {
        [Report] = [GridWorker, GridChief, Informant],
        [Read] = [GridWorker, GridChief, Informant, Liaison, Auditor, GridRoles.Supervisor, GridRoles.LeaderInCharge],
        [CaseNames.Of(CaseAction.Accept)] = [GridChief],
        [CaseNames.Of(CaseAction.Reject)] = [GridChief],
        [CaseNames.Of(CaseAction.Dispatch)] = [GridChief],
        [CaseNames.Of(CaseAction.Start)] = [GridWorker, GridChief],
        [CaseNames.Of(CaseAction.Handle)] = [GridWorker, GridChief],
        [CaseNames.Of(CaseAction.VerifyPass)] = [GridChief],
        [CaseNames.Of(CaseAction.VerifyFail)] = [GridChief],
        [CaseNames.Of(CaseAction.Close)] = [GridChief],
        [CaseNames.Of(CaseAction.Escalate)] = [GridWorker, GridChief],
        [CaseNames.Of(CaseAction.Transfer)] = [GridChief],
        [Summon] = [GridChief],
        [ReportForDuty] = [Liaison, GridChief],
        [AuditVerify] = [Auditor],
        [ReadReporter] = [RewardCentre],
    };

    private readonly Dictionary<string, string[]> _roles;

    public CaseRoles(IDictionary<string, string[]>? overrides = null)
    {
        _roles = Defaults();
        foreach (var (step, roles) in overrides ?? new Dictionary<string, string[]>())
        {
            _roles[step] = roles;
        }
    }

    public IReadOnlyList<string> For(string step) => _roles.TryGetValue(step, out var r) ? r : [];

    public IReadOnlyList<string> For(CaseAction action) => For(CaseNames.Of(action));

    /// <summary>The roles a post must hold to take <paramref name="step"/>: admin may do every step but read reporter identities (unless configured to).</summary>
    public IReadOnlyList<string> Holders(string step) =>
        string.Equals(step, ReadReporter, StringComparison.OrdinalIgnoreCase) ? For(step) : [.. For(step), Admin];

    /// <summary>Reading a case: a reader's or a reporter's post.</summary>
    public IReadOnlyList<string> Readers => [.. Holders(Read), .. For(Report)];
}
