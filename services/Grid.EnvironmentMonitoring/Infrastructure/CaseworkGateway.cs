using Grid.Casework.Application;
using Grid.Casework.Domain;

namespace Grid.EnvironmentMonitoring.Infrastructure;

/// <summary>Environment's cases in the shared life cycle (Grid.Casework), opened and transferred as the system.</summary>
internal sealed class CaseworkGateway(CaseService cases) : ICaseGateway, ICaseTransfers
{
    public async Task<(Guid? CaseId, string? Error)> OpenAsync(CaseOpening o, string idempotencyKey, CancellationToken ct)
    {
        var outcome = await cases.ReportAsync(new ReportCaseRequest
        {
            Category = o.Category,
            Severity = o.Severity,
            Title = o.Title,
            Description = o.Description,
            Source = o.Source,
            GridId = o.GridId,
            Longitude = o.Longitude,
            Latitude = o.Latitude,
            OccurredAt = o.OccurredAt,
        }, Actor.System("environment"), idempotencyKey, ct);
        return outcome.Case is { } c ? (c.Id, null) : (null, Describe(outcome));
    }

    public async Task<string?> TransferAsync(Guid caseId, string targetDomain, CancellationToken ct)
    {
        var actor = Actor.System("environment");
        var current = await cases.GetAsync(caseId, actor, ct);
        if (current.Case is not { } c)
        {
            return Describe(current);
        }

        if (c.TransferDomain is not null)
        {
            return null;
        }

        if (c.State == CaseState.Reported)
        {
            var accepted = await cases.ActAsync(caseId, CaseAction.Accept, new CaseActionRequest(), actor, ct);
            if (accepted.Case is null)
            {
                return Describe(accepted);
            }
        }

        var moved = await cases.ActAsync(caseId, CaseAction.Transfer, new CaseActionRequest { TargetDomain = targetDomain }, actor, ct);
        return moved.Case is null ? Describe(moved) : null;
    }

    private static string Describe(CaseOutcome o) =>
        $"{o.Status} {o.Title} {o.Detail} {string.Join("; ", (o.Errors ?? []).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}".Trim();
}
