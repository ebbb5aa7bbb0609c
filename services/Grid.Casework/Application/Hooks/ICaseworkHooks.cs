using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;

namespace Grid.Casework.Application;

/// <summary>
/// A domain's own rules on top of the shared life cycle. Every method runs inside the case's transaction:
/// rows written with <c>tx.Command(...)</c> and events queued with <c>tx.Publish(...)</c> commit with the
/// change or not at all.
/// </summary>
public interface ICaseworkHooks
{
    /// <summary>Domain checks of a new report (e.g. the category must be one of the domain's). Errors by field name.</summary>
    Dictionary<string, string[]>? ValidateReport(ReportCaseRequest request) => null;

    /// <summary>After every change (report, each step, escalation, transfer result).</summary>
    Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct) => Task.CompletedTask;

    /// <summary>After a case closed (结案), e.g. to lift a listed supervision or grant a reward.</summary>
    Task OnClosedAsync(Case closed, CaseworkTransaction tx, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>One change of a case: before (null for a new case), after, the action and who did it.</summary>
public sealed record CaseChange(Case? Before, Case After, string Action, Actor Actor);

/// <summary>No domain rules beyond the shared life cycle.</summary>
public sealed class NoCaseworkHooks : ICaseworkHooks;
