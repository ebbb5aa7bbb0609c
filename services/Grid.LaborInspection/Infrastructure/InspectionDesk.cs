using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>A finding as entered: what, the rectification deadline, and whether a case follows it up.</summary>
public sealed record FindingDraft(string Description, DateOnly? RectifyBy, bool FollowUp);

/// <summary>An inspection as the desk records it, after its fields were checked.</summary>
public sealed record InspectionDraft(DateOnly InspectedOn, string? Summary, IReadOnlyList<ChecklistEntry> Checklist, IReadOnlyList<FindingDraft> Findings);

/// <summary>What recording did: the inspection (with the follow-up cases it opened), or why the task could not be completed.</summary>
public sealed record InspectionRecorded(Inspection? Inspection, IReadOnlyList<object> FollowUps, string? Conflict);

/// <summary>
/// 检查登记: records an inspection, its entry in the employer's history, the new rating and the campaign task it
/// completes in one transaction; then opens a case for each finding to be followed up (category <c>finding</c>), the
/// case id written onto the finding in the case's own transaction. The endpoint and the demo data both go through it.
/// </summary>
public sealed class InspectionDesk(LaborDbContext db, CaseService cases, EmployerRater rater, TimeProvider time)
{
    public const string FindingCategory = "finding";

    public async Task<InspectionRecorded> RecordAsync(Employer employer, CampaignTask? task, InspectionDraft draft, Actor actor, string inspectorName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var inspection = new Inspection
        {
            Id = Guid.CreateVersion7(now),
            EmployerId = employer.Id,
            GridId = employer.GridId,
            GridPath = employer.GridPath,
            TaskId = task?.Id,
            CampaignId = task?.CampaignId,
            InspectedOn = draft.InspectedOn,
            InspectorId = actor.Subject,
            InspectorName = inspectorName,
            Summary = draft.Summary,
            Checklist = [.. draft.Checklist],
            Findings = [.. draft.Findings.Select(f => new InspectionFinding { Description = f.Description, RectifyBy = f.RectifyBy })],
            RecordedAt = now,
        };

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // A task is completed once: of two visits recorded against it at the same time, the second is refused.
            if (task is not null && await db.CampaignTasks.Where(t => t.Id == task.Id && t.DoneOn == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.InspectionId, inspection.Id).SetProperty(t => t.DoneOn, draft.InspectedOn), ct) == 0)
            {
                return new InspectionRecorded(null, [], "This campaign task was already completed by another inspection.");
            }

            db.Inspections.Add(inspection);
            var found = inspection.Findings.Count;
            await ComplianceHistory.AppendAsync(db, rater, employer, new ComplianceRecord
            {
                Id = Guid.CreateVersion7(now),
                EmployerId = employer.Id,
                Kind = found > 0 ? ComplianceKind.Violation : ComplianceKind.Inspection,
                On = draft.InspectedOn,
                Summary = Truncate((task is null ? "巡视检查" : "专项检查") + (found > 0 ? $": {found} 项违法, 责令改正 — {string.Join("; ", inspection.Findings.Select(f => f.Description))}" : ": 未发现违法行为"), 500),
                RecordedBy = actor.Subject,
                RecordedAt = now,
            }, now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        var followUps = new List<object>();
        for (var i = 0; i < draft.Findings.Count; i++)
        {
            if (!draft.Findings[i].FollowUp)
            {
                continue;
            }

            var report = new ReportCaseRequest
            {
                Category = FindingCategory,
                Severity = DeadlinePolicy.General,
                Title = Truncate($"{employer.Name}: {draft.Findings[i].Description}", 200),
                Description = draft.Findings[i].Description + (draft.Findings[i].RectifyBy is { } by ? $" (限期 {by:yyyy-MM-dd} 前整改)" : ""),
                Source = "inspection",
                GridId = employer.GridId,
            };
            var index = i;
            var outcome = await CaseStep.WithAsync(new LaborCaseContext { Finding = (inspection.Id, index) }, () => cases.ReportAsync(report, actor, $"finding:{inspection.Id}:{index}", ct));
            if (outcome.Case is { } opened)
            {
                inspection.Findings[i].CaseId = opened.Id;
                followUps.Add(new { finding = i, caseId = opened.Id, number = opened.Number });
            }
            else
            {
                followUps.Add(new { finding = i, refused = outcome.Detail ?? outcome.Title });
            }
        }

        return new InspectionRecorded(inspection, followUps, null);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
