using Grid.Casework.Application;
using Grid.Casework.Infrastructure;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.IntegrationEvents;
using Microsoft.EntityFrameworkCore;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// Drug supply's rows of a case step, written inside the case's transaction: the inspection that opened a rectification
/// (and the point losing its standard status), the re-inspection that ended it (and the point regaining it), the
/// storage episode or the sample a case was opened for.
/// </summary>
internal sealed class DrugsCaseHooks : ICaseworkHooks
{
    public Dictionary<string, string[]>? ValidateReport(ReportCaseRequest request) =>
        request.Category is { } c && !DrugCaseCategories.All.Contains(c)
            ? new() { ["category"] = [$"must be one of: {string.Join(", ", DrugCaseCategories.All)}"] }
            : null;

    public async Task OnChangedAsync(CaseChange change, CaseworkTransaction tx, CancellationToken ct)
    {
        if (CaseStep.Data<DrugsCaseContext>() is not { } ctx || change.Action is not ("report" or "handle" or "dispatch"))
        {
            return;
        }

        var caseId = change.After.Id;
        await using var db = DrugsDbContext.Within(tx);
        if (ctx.Inspection is { } inspection)
        {
            inspection.CaseId = caseId;
            db.Inspections.Add(inspection);
            await Standing.ApplyAsync(db, inspection, ct);
            if (change.Action == "report" && !inspection.Passed)
            {
                tx.Publish(DrugEvents.FailedChecklist(inspection, change.After.GridId, change.After.UpdatedAt));
            }
        }

        if (ctx.EpisodeId is { } episode && change.Action == "report")
        {
            await db.Episodes.Where(e => e.Id == episode && e.CaseId == null).ExecuteUpdateAsync(s => s.SetProperty(e => e.CaseId, caseId), ct);
        }

        if (ctx.SilenceId is { } silence && change.Action == "report")
        {
            await db.Silences.Where(x => x.Id == silence && x.CaseId == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.CaseId, caseId), ct);
        }

        if (ctx.Referral is { } referral)
        {
            referral.CaseId = caseId;
            if (change.Action == "dispatch")
            {
                db.Referrals.Add(referral);
            }
            else
            {
                db.Referrals.Attach(referral);
                db.Entry(referral).Property(r => r.Result).IsModified = true;
                db.Entry(referral).Property(r => r.ResultRecordedBy).IsModified = true;
                db.Entry(referral).Property(r => r.ResultAt).IsModified = true;
            }
        }

        if (ctx.Sample is { } sample && change.Action == "report")
        {
            sample.CaseId = caseId;
            db.Samples.Add(sample);
        }

        if (ctx.Confirmation is { } confirmed && change.Action == "report")
        {
            await db.Samples.Where(s => s.Id == confirmed.SampleId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Verdict, confirmed.Verdict).SetProperty(x => x.LabReport, confirmed.LabReport)
                .SetProperty(x => x.ConfirmedAt, confirmed.At).SetProperty(x => x.MajorCaseId, caseId), ct);
            db.Recalls.AddRange(confirmed.Recalls);
            var points = confirmed.Recalls.Select(r => r.PointId).ToList();
            var grids = await db.SupplyPoints.Where(p => points.Contains(p.Id)).Select(p => p.GridId).Distinct().ToListAsync(ct);
            var sampled = await db.Samples.AsNoTracking().FirstAsync(s => s.Id == confirmed.SampleId, ct);
            tx.Publish(DrugEvents.Recalled(sampled, confirmed, caseId, grids, change.After.UpdatedAt));
        }

        await db.SaveChangesAsync(ct);
    }
}

/// <summary>规范药房 status of a point after an inspection: standard only with all six items, since the first such inspection.</summary>
internal static class Standing
{
    public static async Task ApplyAsync(DrugsDbContext db, Inspection inspection, CancellationToken ct)
    {
        var point = await db.SupplyPoints.FirstAsync(p => p.Id == inspection.PointId, ct);
        if (inspection.Passed)
        {
            point.StandardSince = point.Standard ? point.StandardSince : inspection.On;
            point.Standard = true;
        }
        else
        {
            point.Standard = false;
            point.StandardSince = null;
        }

        point.LastInspectedOn = point.LastInspectedOn is { } last && last > inspection.On ? last : inspection.On;
        point.UpdatedAt = inspection.RecordedAt;
    }
}
