using Grid.CadreSupervision.Domain;
using Grid.Casework.Application;
using Grid.Casework.Infrastructure;

namespace Grid.CadreSupervision.Infrastructure;

/// <summary>
/// What a cadre endpoint knows about the case it asks Casework to open (the register entry of a resident's report),
/// carried to <see cref="CadreCaseHooks"/> through <see cref="CaseStep"/>.
/// </summary>
internal sealed class CadreCaseContext
{
    public RegisterEntry? NewReport { get; init; }
}

/// <summary>
/// Cadre supervision's rules on Casework's steps: a resident's report is a case of category <c>conduct</c>; its
/// register entry is written in the case's own transaction, and put on the file's audit chain (the cadre's id as the
/// entry's subject), never with the resident.
/// </summary>
internal sealed class CadreCaseHooks(TimeProvider time) : ICaseworkHooks
{
    public const string Category = "conduct";

    public Dictionary<string, string[]>? ValidateReport(ReportCaseRequest request) =>
        string.Equals(request.Category, Category, StringComparison.Ordinal)
            ? null
            : new() { ["category"] = [$"must be '{Category}': residents' reports about cadres (POST /api/cadre/v1/reports)"] };

    public async Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct)
    {
        if (change.Action != "report" || CaseStep.Data<CadreCaseContext>()?.NewReport is not { } entry)
        {
            return;
        }

        await using var db = CadreDbContext.Within(tx);
        entry.CaseId = change.After.Id;
        entry.RecordedAt = time.GetUtcNow();
        db.Entries.Add(entry);
        await db.SaveChangesAsync(ct);
        tx.Audit(entry.CadreId, entry.RecordedBy, "register-report", "cadre", null, FileAudit.Of(entry));
    }
}
