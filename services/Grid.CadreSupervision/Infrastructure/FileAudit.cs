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
}
