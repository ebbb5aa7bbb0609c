using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 群众反映: a resident tells a grid supervisor (or the community party organisation) of a cadre's abnormal behaviour
/// outside the eight hours. Each report is a Casework case of domain cadre (deadlines, escalation, audit chain) with the
/// resident sealed in Casework's reporter store; the substance stays in the file's register, and every read of it is
/// an audit entry.
/// </summary>
public static class ReportsApi
{
    public sealed record ResidentDto(string? Name, string? Phone, string? IdNumber);

    public sealed record ReportRequest(Guid? CadreId, string? Circle, string? Item, string? Summary, bool? Important, string? Severity, ResidentDto? Resident);

    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/reports", Take).WithSummary("A resident's report about a cadre of the grid; the resident is sealed (举报保密).");
        api.MapGet("/reports/{caseId:guid}", Get).WithSummary("The report's substance and its case; discipline commission only, each read audited.");
        return api;
    }

    private static async Task<IResult> Take(
        ReportRequest? req, HttpContext h, CadreDbContext db, CaseService cases, CadreOptions options, Grid.Casework.CaseworkOptions casework, CancellationToken ct)
    {
        var user = h.User;
        if (CadreAccess.Deny(user, CadreRoles.Recorders) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var (circle, item) = CadresApi.CheckCircle(e, options, req?.Circle, req?.Item);
        var summary = e.Text("summary", req?.Summary, 2000);
        var resident = e.Text("resident.name", req?.Resident?.Name, 50);
        if (req?.Resident?.Phone is { Length: > 30 })
        {
            e.Add("resident.phone", "at most 30 characters");
        }

        var severity = req?.Severity?.Trim().ToLowerInvariant() ?? DeadlinePolicy.General;
        if (!casework.Severities.Contains(severity, StringComparer.OrdinalIgnoreCase))
        {
            e.Add("severity", $"must be one of: {string.Join(", ", casework.Severities)}");
        }

        Cadre? cadre = null;
        if (req?.CadreId is not { } cadreId)
        {
            e.Add("cadreId", "is required");
        }
        else if ((cadre = await CadresApi.VisibleAsync(db, user, cadreId, ct)) is null)
        {
            e.Add("cadreId", $"no cadre {cadreId} lives in your grids");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (CadreAccess.Deny(user, CadreRoles.Recorders, cadre!.GridPath) is { } outside)
        {
            return outside;
        }

        var entry = new RegisterEntry
        {
            Id = Guid.CreateVersion7(),
            CadreId = cadre.Id,
            Kind = "report",
            Circle = circle,
            Item = item,
            Summary = summary,
            GridPath = cadre.GridPath,
            RecordedBy = user.Subject(),
        };

        // The case says only that a report about a cadre came in (events reach the command centre); what was said
        // stays in the register, and who said it in the reporter store. An important matter is Casework's major case,
        // which goes to the top of the chain (the county commission) as it is reported.
        var important = options.Reports.IsImportant(severity, req!.Important == true, casework.Severities);
        var report = new ReportCaseRequest
        {
            Category = CadreCaseHooks.Category,
            Severity = important ? casework.MajorSeverity : severity,
            Title = $"干部监督反映({circle})",
            Description = "内容见干部监督档案登记册",
            Source = "complaint",
            GridId = cadre.GridId,
            Reporter = new ReporterIdentity { Name = resident, Phone = req.Resident!.Phone?.Trim(), IdNumber = req.Resident.IdNumber?.Trim() },
        };
        var outcome = await CaseStep.WithAsync(new CadreCaseContext { NewReport = entry },
            () => cases.ReportAsync(report, CaseworkBridge.ActorOf(h), h.Request.Headers["Idempotency-Key"].FirstOrDefault(), ct));
        if (!CaseworkBridge.Ok(outcome))
        {
            return CaseworkBridge.Problem(outcome);
        }

        var c = outcome.Case!;
        return TypedResults.Created($"/api/cadre/v1/reports/{c.Id}",
            new { caseId = c.Id, number = c.Number, state = c.State, severity = c.Severity, important, holderGridId = c.HolderGridId, cadreId = cadre.Id, circle, entryId = entry.Id });
    }

    private static async Task<IResult> Get(Guid caseId, HttpContext h, CadreDbContext read, CaseService cases, CaseworkDatabase casework, CancellationToken ct)
    {
        var user = h.User;
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        var entry = await read.Entries.AsNoTracking().FirstOrDefaultAsync(x => x.CaseId == caseId, ct);
        if (entry is null || !SeesWholeFile(user, entry.GridPath))
        {
            return GridProblems.NotFound("Report", caseId);
        }

        var view = await cases.GetAsync(caseId, CaseworkBridge.ActorOf(h), ct);
        await using (var tx = await casework.BeginAsync(ct))
        {
            tx.Audit(entry.CadreId, user.Subject(), "read-report", "cadre", null, new { entry.Id, caseId });
            await tx.CommitAsync(ct);
        }

        return TypedResults.Ok(new { report = CadresApi.EntryDto.From(entry), @case = view.Case is { } c ? CaseView.From(c) : null });
    }
}
