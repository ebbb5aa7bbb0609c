using Grid.CadreSupervision.Domain;

namespace Grid.CadreSupervision.Infrastructure;

/// <summary>
/// What of a file's record goes on the audit chain (留痕, keyed and sealed by Casework): the record's own fields, the
/// cadre's id as the entry's subject, so <c>cases/audit/verify?caseId={cadreId}</c> checks one file. Never a resident.
/// </summary>
internal static class FileAudit
{
    public static object Of(Cadre c) => new { c.Id, c.Name, c.Post, c.DepartmentId, c.GridId };

    public static object Of(RegisterEntry e) => new { e.Id, e.CadreId, e.Kind, e.Circle, e.Item, e.Summary, e.CaseId, e.RecordedBy };

    public static object Of(Warning w) => new { w.Id, w.CadreId, w.DepartmentId, w.Reason, w.IssuedOn, w.CountInWindow, w.IssuedBy };

    public static object Of(UnitTask t) => new { t.Id, t.WarningId, t.DepartmentId, t.Kind, t.DueBy };

    public static object Of(Commitment c) => new { c.Id, c.CadreId, c.Year, c.Text, c.Progress, c.RecordedBy };

    public static object Of(ResidentEvaluation v) => new { v.Id, v.CadreId, v.Year, v.RaterKind, v.Score, v.Rating, v.RecordedBy };

    public static object Of(UnitAssessment a) => new { a.CadreId, a.Year, a.Score, a.RecordedBy };

    public static object Of(SupervisionGroup g) => new { g.GridId, g.Leader, g.Deputy, g.Supervisors, g.UpdatedBy };

    /// <summary>
    /// Writes through <paramref name="write"/> in a Casework transaction and puts each record it returns on its cadre's
    /// audit chain, in the same commit: a record without its entry, or an entry without its record, never exists.
    /// </summary>
    public static async Task WriteAsync(
        Grid.Casework.Infrastructure.CaseworkDatabase casework, Func<CadreDbContext, Task<(string Action, Guid CadreId, object After)[]>> write, string actor,
        CancellationToken ct)
    {
        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        foreach (var (action, cadreId, after) in await write(db))
        {
            tx.Audit(cadreId, actor, action, "cadre", null, after);
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The audit subject of a grid's supervision group: a fixed id derived from the grid's, so
    /// <c>cases/audit/verify?caseId=</c> checks one group's history as it checks one file.
    /// </summary>
    public static Guid GroupSubject(string gridId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("cadre-supervision-group:" + gridId));
        return new Guid(hash.AsSpan(0, 16));
    }
}
