using System.Security.Claims;
using Grid.Casework.Infrastructure;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Grid.DrugSupply.IntegrationEvents;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 两员管理: the files of township coordinators (协管员) and village informants (信息员) — appointment on the residents'
/// recommendation, training, assessment, rewards and penalties, work log, dismissal (动态管理). The person must hold the
/// matching post on the grid at the organization service; a dismissed person stops counting in coverage at once.
/// </summary>
public static class StaffApi
{
    public sealed record AppointRequest(string? PersonId, StaffKind? Kind, string? GridId, string? RecommendedBy, DateOnly? RecommendedOn, DateOnly? AppointedOn);

    public sealed record TrainingRequest(DateOnly? On, string? Topic, decimal? Hours);

    public sealed record AssessmentRequest(string? Period, decimal? Score, DateOnly? On, string? Notes);

    public sealed record RewardRequest(StaffEntryKind? Kind, DateOnly? On, string? Reason, decimal? Amount);

    public sealed record LogRequest(DateOnly? On, string? Text, Guid? PointId);

    public sealed record DismissRequest(DateOnly? On, string? Reason);

    public sealed record StaffView(
        Guid Id, string PersonId, string Name, StaffKind Kind, string GridId, IReadOnlyList<string> GridPath, DateOnly AppointedOn,
        string RecommendedBy, DateOnly RecommendedOn, string AppointedBy, DateOnly? DismissedOn, string? DismissalReason, bool Active)
    {
        public static StaffView From(NetworkStaff s) => new(s.Id, s.PersonId, s.Name, s.Kind, s.GridId, s.GridPath, s.AppointedOn, s.RecommendedBy,
            s.RecommendedOn, s.AppointedBy, s.DismissedOn, s.DismissalReason, s.DismissedOn is null);
    }

    /// <summary>Who writes a work-log line: the staff themselves and the authority of their grid.</summary>
    private static readonly string[] LogWriters = [.. DrugRoles.Keepers, DrugRoles.Informant];

    public static RouteGroupBuilder MapStaffApi(this RouteGroupBuilder api)
    {
        api.MapPost("/staff", Appoint).WithSummary("聘任: appoint a coordinator or informant posted on the grid, on the residents' recommendation.");
        api.MapGet("/staff", List).WithSummary("两员 in the caller's scope (gridId, kind, active), keyset-paged.");
        api.MapGet("/staff/{id:guid}", Get).WithSummary("One file: appointment, trainings, assessments, rewards and penalties, work log.");
        api.MapPost("/staff/{id:guid}/trainings", Train).WithSummary("培训: date, topic, hours.");
        api.MapPost("/staff/{id:guid}/assessments", Assess).WithSummary("考核: a score for a period (yyyy, yyyy-Hn, yyyy-Qn) against the pass mark.");
        api.MapPost("/staff/{id:guid}/rewards", Reward).WithSummary("奖惩: a reward or a penalty, with its reason and amount.");
        api.MapPost("/staff/{id:guid}/log", Log).WithSummary("工作记录: a line of the person's work log.");
        api.MapPost("/staff/{id:guid}/dismiss", Dismiss).WithSummary("解聘 (动态管理): the person leaves the network; coverage shows the gap again.");
        return api;
    }

    private static async Task<IResult> Appoint(AppointRequest? req, ClaimsPrincipal user, DrugsDbContext db, IGridDirectory grids, DrugOptions options, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Authorities) is { } denied)
        {
            return denied;
        }

        var today = DrugsDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        errors.Text("personId", req?.PersonId, 64);
        errors.Text("gridId", req?.GridId, 64);
        errors.Text("recommendedBy", req?.RecommendedBy, 200);
        if (req?.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            errors.Error("kind", "is required: Coordinator or Informant");
        }

        var appointedOn = req?.AppointedOn ?? today;
        if (appointedOn > today)
        {
            errors.Error("appointedOn", "must not be in the future");
        }

        if (req?.RecommendedOn > appointedOn)
        {
            errors.Error("recommendedOn", "must be on or before the appointment");
        }

        GridNode? grid = null;
        ResponsiblePerson? person = null;
        if (!errors.ContainsKey("gridId") && (grid = await grids.FindAsync(req!.GridId!.Trim(), ct)) is null)
        {
            errors.Error("gridId", $"grid '{req.GridId}' is unknown");
        }
        else if (grid is not null && req!.Kind is { } k && Enum.IsDefined(k))
        {
            var depth = grid.Path.Count - 1;
            var wanted = k == StaffKind.Coordinator ? options.Network.TownshipDepth : options.Network.VillageDepth;
            if (depth != wanted)
            {
                errors.Error("gridId", k == StaffKind.Coordinator ? "a coordinator serves a township grid" : "an informant serves a village grid");
            }
            else if (!errors.ContainsKey("personId"))
            {
                var chain = await grids.GetChainAsync(grid.Id, ct);
                person = chain?.FirstOrDefault()?.Responsible.FirstOrDefault(r => r.Id == req.PersonId!.Trim() && r.Role == k.Role());
                if (person is null)
                {
                    errors.Error("personId", $"no one with this id holds the {k.Role()} post on grid {grid.Id} at the organization");
                }
            }
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Authorities, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var now = time.GetUtcNow();
        var staff = new NetworkStaff
        {
            Id = Guid.CreateVersion7(now),
            PersonId = person!.Id,
            Name = person.Name,
            Kind = req!.Kind!.Value,
            GridId = grid.Id,
            GridPath = [.. grid.Path],
            AppointedOn = appointedOn,
            RecommendedBy = req.RecommendedBy!.Trim(),
            RecommendedOn = req.RecommendedOn ?? appointedOn,
            AppointedBy = user.Subject(),
            CreatedAt = now,
        };
        db.Staff.Add(staff);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DomainSchema.IsUniqueViolation(e))
        {
            return GridProblems.Invalid("personId", "This person is already appointed on this grid.");
        }

        return TypedResults.Created($"/api/drugs/v1/staff/{staff.Id}", StaffView.From(staff));
    }

    private static async Task<IResult> List(HttpContext http, DrugsDbContext db, string? gridId, StaffKind? kind, bool? active, string? cursor, int? limit, CancellationToken ct)
    {
        if (DrugsAccess.Deny(http.User, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var q = DrugsAccess.Scoped(db.Staff.AsNoTracking(), http.User, s => s.GridPath).UnderGrid(gridId, s => s.GridPath);
        if (kind is { } k)
        {
            q = q.Where(s => s.Kind == k);
        }

        if (active is { } a)
        {
            q = a ? q.Where(s => s.DismissedOn == null) : q.Where(s => s.DismissedOn != null);
        }

        return (await q.ReadPageAsync(cursor, limit, s => s.Id, ct)).Ok(http, StaffView.From);
    }

    private static async Task<IResult> Get(Guid id, ClaimsPrincipal user, DrugsDbContext db, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var staff = await DrugsAccess.Scoped(db.Staff.AsNoTracking(), user, s => s.GridPath).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (staff is null)
        {
            return GridProblems.NotFound("Staff member", id);
        }

        var entries = await db.StaffEntries.AsNoTracking().Where(e => e.StaffId == id).OrderByDescending(e => e.On).ThenByDescending(e => e.Id).Take(1000).ToListAsync(ct);
        object Of(StaffEntry e) => new { e.Id, e.Kind, e.On, e.Text, e.Hours, e.Period, e.Score, e.Passed, e.Amount, e.PointId, e.RecordedBy, e.RecordedAt };
        return TypedResults.Ok(new
        {
            staff = StaffView.From(staff),
            trainingHours = entries.Where(e => e.Kind == StaffEntryKind.Training).Sum(e => e.Hours ?? 0),
            trainings = entries.Where(e => e.Kind == StaffEntryKind.Training).Select(Of),
            assessments = entries.Where(e => e.Kind == StaffEntryKind.Assessment).Select(Of),
            rewards = entries.Where(e => e.Kind is StaffEntryKind.Reward or StaffEntryKind.Penalty).Select(Of),
            log = entries.Where(e => e.Kind == StaffEntryKind.WorkLog).Select(Of),
        });
    }

    private static Task<IResult> Train(Guid id, TrainingRequest? req, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct) =>
        RecordAsync(id, user, db, time, DrugRoles.Authorities, ct, (errors, today) =>
        {
            errors.Text("topic", req?.Topic, 2000);
            Day(errors, "on", req?.On, today, required: true);
            if (req?.Hours is not (> 0 and <= 1000))
            {
                errors.Error("hours", "is required: more than 0, at most 1000");
            }

            return _ => new StaffEntry { Kind = StaffEntryKind.Training, On = req!.On!.Value, Text = req.Topic!.Trim(), Hours = req.Hours };
        });

    private static Task<IResult> Assess(Guid id, AssessmentRequest? req, ClaimsPrincipal user, DrugsDbContext db, DrugOptions options, TimeProvider time, CancellationToken ct) =>
        RecordAsync(id, user, db, time, DrugRoles.Authorities, ct, (errors, today) =>
        {
            if (!StaffRules.ValidPeriod(req?.Period))
            {
                errors.Error("period", "is required: yyyy, yyyy-H1/H2 or yyyy-Q1…Q4");
            }

            if (req?.Score is not (>= 0 and <= 100))
            {
                errors.Error("score", "is required, between 0 and 100");
            }

            Day(errors, "on", req?.On, today, required: false);
            if (req?.Notes is { Length: > 2000 })
            {
                errors.Error("notes", "must be at most 2000 characters");
            }

            return _ => new StaffEntry
            {
                Kind = StaffEntryKind.Assessment,
                On = req!.On ?? today,
                Period = req.Period,
                Score = req.Score,
                Passed = req.Score >= options.Staff.PassMark,
                Text = req.Notes?.Trim() ?? "",
            };
        }, duplicate: ("period", "This person already has an assessment for the period."));

    private static Task<IResult> Reward(Guid id, RewardRequest? req, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct) =>
        RecordAsync(id, user, db, time, DrugRoles.Authorities, ct, (errors, today) =>
        {
            if (req?.Kind is not (StaffEntryKind.Reward or StaffEntryKind.Penalty))
            {
                errors.Error("kind", "is required: Reward or Penalty");
            }

            errors.Text("reason", req?.Reason, 2000);
            Day(errors, "on", req?.On, today, required: false);
            if (req?.Amount is < 0 or > 1_000_000)
            {
                errors.Error("amount", "must be between 0 and 1,000,000 yuan");
            }

            return _ => new StaffEntry { Kind = req!.Kind!.Value, On = req.On ?? today, Text = req.Reason!.Trim(), Amount = req.Amount };
        });

    private static Task<IResult> Log(Guid id, LogRequest? req, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, CancellationToken ct) =>
        RecordAsync(id, user, db, time, LogWriters, ct, (errors, today) =>
        {
            errors.Text("text", req?.Text, 2000);
            Day(errors, "on", req?.On, today, required: false);
            return _ => new StaffEntry { Kind = StaffEntryKind.WorkLog, On = req!.On ?? today, Text = req.Text!.Trim(), PointId = req.PointId };
        }, pointId: req?.PointId);

    private static async Task<IResult> Dismiss(
        Guid id, DismissRequest? req, ClaimsPrincipal user, DrugsDbContext db, CaseworkDatabase casework, TimeProvider time, CancellationToken ct)
    {
        var found = await FindAsync(id, user, db, DrugRoles.Authorities, ct);
        if (found.Staff is not { } staff)
        {
            return found.Refusal!;
        }

        var today = DrugsDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        errors.Text("reason", req?.Reason, 1000);
        Day(errors, "on", req?.On, today, required: false);
        if (req?.On < staff.AppointedOn)
        {
            errors.Error("on", $"must be on or after the appointment {staff.AppointedOn:yyyy-MM-dd}");
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (staff.DismissedOn is { } on)
        {
            return GridProblems.Conflict("Already dismissed", $"The person was dismissed on {on:yyyy-MM-dd}.");
        }

        staff.DismissedOn = req!.On ?? today;
        staff.DismissalReason = req.Reason!.Trim();

        // The dismissal and its event commit together (outbox).
        await using var tx = await casework.BeginAsync(ct);
        await using (var within = DrugsDbContext.Within(tx))
        {
            // Conditional, so that of two dismissals at once one takes effect and publishes.
            var changed = await within.Staff.Where(s => s.Id == id && s.DismissedOn == null)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.DismissedOn, staff.DismissedOn).SetProperty(s => s.DismissalReason, staff.DismissalReason), ct);
            if (changed == 0)
            {
                return GridProblems.Conflict("Already dismissed", "The person was dismissed meanwhile.");
            }
        }

        tx.Publish(DrugEvents.Dismissed(staff, time.GetUtcNow()));
        await tx.CommitAsync(ct);
        return TypedResults.Ok(StaffView.From(staff));
    }

    private sealed record Found(NetworkStaff? Staff, IResult? Refusal);

    /// <summary>The staff member in the caller's scope with a post of <paramref name="roles"/> over their grid, or why not.</summary>
    private static async Task<Found> FindAsync(Guid id, ClaimsPrincipal user, DrugsDbContext db, string[] roles, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, roles) is { } denied)
        {
            return new(null, denied);
        }

        var staff = await DrugsAccess.Scoped(db.Staff, user, s => s.GridPath).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (staff is null)
        {
            return new(null, GridProblems.NotFound("Staff member", id));
        }

        return DrugsAccess.Deny(user, roles, staff.GridPath) is { } outOfScope ? new(null, outOfScope) : new(staff, null);
    }

    /// <summary>
    /// One entry of a file: the caller's post over the person's grid, the fields checked by <paramref name="check"/>
    /// (which gives the entry to write when they hold), a dismissed person's file closed to new entries.
    /// </summary>
    private static async Task<IResult> RecordAsync(
        Guid id, ClaimsPrincipal user, DrugsDbContext db, TimeProvider time, string[] roles, CancellationToken ct,
        Func<Dictionary<string, List<string>>, DateOnly, Func<NetworkStaff, StaffEntry>> check, (string Field, string Message)? duplicate = null, Guid? pointId = null)
    {
        var found = await FindAsync(id, user, db, roles, ct);
        if (found.Staff is not { } staff)
        {
            return found.Refusal!;
        }

        var today = DrugsDay.Today(time);
        var errors = new Dictionary<string, List<string>>();
        var make = check(errors, today);
        if (pointId is { } p && !await SupplyPointsApi.Scoped(db.SupplyPoints, user).AnyAsync(x => x.Id == p, ct))
        {
            errors.Error("pointId", $"no supply point {p} in your scope");
        }

        if (errors.Count > 0)
        {
            return GridProblems.Invalid(errors);
        }

        if (staff.DismissedOn is not null)
        {
            return GridProblems.Conflict("Dismissed", "The person has been dismissed; their file takes no new entries.");
        }

        var now = time.GetUtcNow();
        var entry = make(staff);
        entry.Id = Guid.CreateVersion7(now);
        entry.StaffId = staff.Id;
        entry.RecordedBy = user.Subject();
        entry.RecordedAt = now;
        db.StaffEntries.Add(entry);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (duplicate is { } d && DomainSchema.IsUniqueViolation(e))
        {
            return GridProblems.Invalid(d.Field, d.Message);
        }

        return TypedResults.Created($"/api/drugs/v1/staff/{staff.Id}", new { entry.Id, entry.Kind, entry.On, entry.Text, entry.Hours, entry.Period, entry.Score, entry.Passed, entry.Amount, entry.PointId });
    }

    private static void Day(Dictionary<string, List<string>> errors, string field, DateOnly? day, DateOnly today, bool required)
    {
        if (day is null && required)
        {
            errors.Error(field, "is required (yyyy-MM-dd)");
        }
        else if (day > today)
        {
            errors.Error(field, "must not be in the future");
        }
    }
}
