using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.LaborInspection.Apis.LaborInspectionApi;

namespace Grid.LaborInspection.Apis;

/// <summary>一户一档: employer files, their compliance history and their risk rating.</summary>
public static class EmployersApi
{
    public sealed record EmployerDto(
        Guid Id, string Name, EmployerKind Kind, string SubjectId, string GridId, IReadOnlyList<string> GridPath, string Address,
        string LegalRepresentative, string? Phone, int Headcount, int ContractsSigned, int ContractsDue, int InsuranceEnrolled,
        DateOnly? WagesPaidThrough, WorkingHours WorkingHours, decimal? WeeklyHours, RiskLevel Risk, DateOnly NextInspectionDue,
        DateOnly? LastInspectedOn, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public static EmployerDto From(Employer e) => new(e.Id, e.Name, e.Kind, e.SubjectId, e.GridId, e.GridPath, e.Address,
            e.LegalRepresentative, e.Phone, e.Headcount, e.ContractsSigned, e.ContractsDue, e.InsuranceEnrolled, e.WagesPaidThrough,
            e.WorkingHours, e.WeeklyHours, e.Risk, e.NextInspectionDue, e.LastInspectedOn, e.CreatedAt, e.UpdatedAt);
    }

    public sealed record RecordRequest(ComplianceKind? Kind, DateOnly? On, string? Summary);

    public static RouteGroupBuilder MapEmployersApi(this RouteGroupBuilder api)
    {
        api.MapPost("/employers", Create).WithSummary("建档: file an employer; its rating is computed at once.");
        api.MapPut("/employers/{id:guid}", Update).WithSummary("动态管理: update an employer's file; it is rated again.");
        api.MapGet("/employers/{id:guid}", Get);
        api.MapDelete("/employers/{id:guid}", Delete).WithSummary("Remove a file filed by mistake, with its history.");
        api.MapGet("/employers", List).WithSummary("Employers in the caller's grid scope, paged by cursor.");
        api.MapGet("/employers/{id:guid}/rating", Rating).WithSummary("风险等级 with the reasons and the next inspection date.");
        api.MapGet("/employers/{id:guid}/records", Records).WithSummary("守法记录: the compliance history, newest first.");
        api.MapPost("/employers/{id:guid}/records", AddRecord).WithSummary("Add an inspection, violation, complaint or settlement; re-rates.");
        return api;
    }

    private static async Task<IResult> Create(
        EmployerFacts? req, ClaimsPrincipal user, LaborDbContext db, GridPaths grids, EmployerRater rater, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.FileKeepers) is { } denied)
        {
            return denied;
        }

        var (refused, path) = await AcceptAsync(req, user, grids, time, ct);
        if (refused is not null)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        var employer = new Employer { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now };
        req!.ApplyTo(employer, path);
        rater.Rate(employer, []);
        db.Employers.Add(employer);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
        {
            return AlreadyOnFile(employer);
        }

        return TypedResults.Created($"/api/labor/v1/employers/{employer.Id}", EmployerDto.From(employer));
    }

    private static async Task<IResult> Update(
        Guid id, EmployerFacts? req, ClaimsPrincipal user, LaborDbContext db, GridPaths grids, EmployerRater rater, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.FileKeepers) is { } denied)
        {
            return denied;
        }

        var employer = await Scoped(db.Employers, user).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (employer is null)
        {
            return GridProblems.NotFound("Employer", id);
        }

        var (refused, path) = await AcceptAsync(req, user, grids, time, ct);
        if (refused is not null)
        {
            return refused;
        }

        req!.ApplyTo(employer, path);
        employer.UpdatedAt = time.GetUtcNow();
        rater.Rate(employer, await db.ComplianceRecords.AsNoTracking().Where(r => r.EmployerId == id).ToListAsync(ct));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
        {
            return AlreadyOnFile(employer);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile",
                detail: "Someone else changed this file at the same time; read it again and repeat the change.");
        }

        return TypedResults.Ok(EmployerDto.From(employer));
    }

    /// <summary>What creating and updating a file both check: a body, its fields and grid, and the caller's scope over that grid.</summary>
    private static async Task<(IResult? Refused, string[] Path)> AcceptAsync(EmployerFacts? req, ClaimsPrincipal user, GridPaths grids, TimeProvider time, CancellationToken ct)
    {
        if (req is null)
        {
            return (GridProblems.Invalid("body", "is required"), []);
        }

        var (errors, path) = await CheckAsync(req, grids, LaborDay.Today(time), ct);
        if (errors.Count > 0)
        {
            return (GridProblems.Invalid(errors), []);
        }

        return (LaborAccess.Deny(user, LaborRoles.FileKeepers, path), path!);
    }

    /// <summary>一户一档: one file per subject id.</summary>
    private static IResult AlreadyOnFile(Employer employer) =>
        GridProblems.Invalid("subjectId", $"An employer with subject id '{employer.SubjectId}' is already on file (一户一档).");

    /// <summary>The field checks, then the grid: unknown grids are a field error, like any other.</summary>
    internal static async Task<(Dictionary<string, List<string>> Errors, string[]? Path)> CheckAsync(
        EmployerFacts req, GridPaths grids, DateOnly today, CancellationToken ct)
    {
        var errors = req.Check(today);
        string[]? path = null;
        if (!errors.ContainsKey("gridId") && (path = await grids.PathOfAsync(req.GridId!.Trim(), ct)) is null)
        {
            errors["gridId"] = [$"grid '{req.GridId}' is unknown"];
        }

        return (errors, path);
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, LaborDbContext db, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var employer = await Scoped(db.Employers.AsNoTracking(), user).FirstOrDefaultAsync(e => e.Id == id, ct);
        return employer is null ? GridProblems.NotFound("Employer", id) : TypedResults.Ok(EmployerDto.From(employer));
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal user, LaborDbContext db, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.FileManagers) is { } denied)
        {
            return denied;
        }

        var removed = await Scoped(db.Employers, user).Where(e => e.Id == id).ExecuteDeleteAsync(ct);
        return removed == 0 ? GridProblems.NotFound("Employer", id) : TypedResults.NoContent();
    }

    /// <summary>The caller's grid scope, in SQL.</summary>
    internal static IQueryable<Employer> Scoped(IQueryable<Employer> q, ClaimsPrincipal user) => LaborAccess.Scoped(q, user, e => e.GridPath);

    private static async Task<IResult> List(
        HttpContext http, LaborDbContext db, string? gridId, RiskLevel? risk, EmployerKind? kind, bool? inspectionDue,
        string? cursor, int? limit, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(http.User, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = Scoped(db.Employers.AsNoTracking(), http.User).UnderGrid(gridId, e => e.GridPath);
        if (risk is { } r)
        {
            q = q.Where(e => e.Risk == r);
        }

        if (kind is { } k)
        {
            q = q.Where(e => e.Kind == k);
        }

        if (inspectionDue == true)
        {
            var today = LaborDay.Today(time);
            q = q.Where(e => e.NextInspectionDue <= today);
        }

        return (await q.ReadPageAsync(cursor, limit, e => e.Id, ct)).OkWithCursor(http, EmployerDto.From);
    }

    private static async Task<IResult> Rating(Guid id, ClaimsPrincipal user, LaborDbContext db, EmployerRater rater, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        var employer = await Scoped(db.Employers.AsNoTracking(), user).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (employer is null)
        {
            return GridProblems.NotFound("Employer", id);
        }

        return TypedResults.Ok(rater.Rate(employer, await db.ComplianceRecords.AsNoTracking().Where(r => r.EmployerId == id).ToListAsync(ct)));
    }

    private static async Task<IResult> Records(Guid id, ClaimsPrincipal user, LaborDbContext db, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Staff) is { } denied)
        {
            return denied;
        }

        if (!await Scoped(db.Employers, user).AnyAsync(e => e.Id == id, ct))
        {
            return GridProblems.NotFound("Employer", id);
        }

        return TypedResults.Ok(await db.ComplianceRecords.AsNoTracking().Where(r => r.EmployerId == id)
            .OrderByDescending(r => r.On).ThenByDescending(r => r.Id).Take(500).ToListAsync(ct));
    }

    private static async Task<IResult> AddRecord(
        Guid id, RecordRequest? req, ClaimsPrincipal user, LaborDbContext db, EmployerRater rater, TimeProvider time, CancellationToken ct)
    {
        if (LaborAccess.Deny(user, LaborRoles.Recorders) is { } denied)
        {
            return denied;
        }

        var employer = await Scoped(db.Employers, user).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (employer is null)
        {
            return GridProblems.NotFound("Employer", id);
        }

        var today = LaborDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        if (req?.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            errors["kind"] = ["is required: Inspection, Complaint, Violation or Settlement"];
        }

        if (req?.On is { } on && on > today)
        {
            errors["on"] = ["must not be in the future"];
        }

        if (string.IsNullOrWhiteSpace(req?.Summary) || req.Summary.Length > 500)
        {
            errors["summary"] = ["is required, at most 500 characters"];
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        var record = new ComplianceRecord
        {
            Id = Guid.CreateVersion7(),
            EmployerId = id,
            Kind = req!.Kind!.Value,
            On = req.On ?? today,
            Summary = req.Summary!.Trim(),
            RecordedBy = user.Subject(),
            RecordedAt = time.GetUtcNow(),
        };
        await ComplianceHistory.AppendAsync(db, rater, employer, record, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/labor/v1/employers/{id}/records/{record.Id}", record);
    }
}
