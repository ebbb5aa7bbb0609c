using System.Security.Cryptography;
using System.Text;
using Dapper;
using Grid.Casework.Infrastructure;
using Grid.CommandCenter.Domain;
using Grid.CommandCenter.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using static Grid.CommandCenter.Apis.ApiHelpers;

namespace Grid.CommandCenter.Apis;

/// <summary>吹哨报到: the command centre summons a department, the department reports for duty.</summary>
public static class SummonsApi
{
    /// <summary>The furthest ahead a report-by deadline may be set.</summary>
    public static readonly TimeSpan MaxNotice = TimeSpan.FromDays(30);

    public sealed record SummonsRequest(Guid? CaseId, string? GridId, string? DepartmentId, DateTimeOffset? ReportBy, string? Reason);

    public static void MapSummonsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/summons", ListAsync).WithSummary("吹哨报到 list (status: pending, reported, late, missed)");
        api.MapGet("/summons/{id:guid}", GetAsync);
        api.MapPost("/summons", SummonAsync).WithSummary("吹哨: summon a department to a case or grid with a report-by deadline (Idempotency-Key honoured)");
        api.MapPost("/summons/{id:guid}/report", ReportAsync).WithSummary("报到: the department reports for duty; late when after the deadline");
    }

    static readonly string[] Statuses = ["pending", "reported", "late", "missed"];

    static async Task<Results<Ok<IReadOnlyList<SummonsRow>>, ValidationProblem>> ListAsync(HttpContext http, CommandQueries queries, string? status, CancellationToken ct)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            return Invalid("status", $"must be one of {string.Join(", ", Statuses)}");
        }

        return TypedResults.Ok(await queries.SummonsAsync(UserScope.Of(http.User), status, null, ct));
    }

    static async Task<Results<Ok<SummonsRow>, NotFound>> GetAsync(Guid id, HttpContext http, CommandQueries queries, CancellationToken ct) =>
        (await queries.SummonsAsync(UserScope.Of(http.User), null, id, ct)).FirstOrDefault() is { } row ? TypedResults.Ok(row) : TypedResults.NotFound();

    static async Task<Results<Created<SummonsRow>, Ok<SummonsRow>, ValidationProblem, ProblemHttpResult>> SummonAsync(
        SummonsRequest? body, HttpContext http, CommandQueries queries, GridMap map, CaseworkDatabase db, TimeProvider clock, CancellationToken ct)
    {
        if (!http.User.Allows(CommandRoles.MaySummon, null))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the command centre may summon departments (role commander)");
        }

        if (body is null)
        {
            return Invalid("body", "a summons is required");
        }

        if (string.IsNullOrWhiteSpace(body.DepartmentId) || BadId(body.DepartmentId))
        {
            return Invalid("departmentId", "is required, 1 to 100 characters");
        }

        // With the organization service configured (always, in the suite), only a department it knows is summoned,
        // recorded under its id; standing alone, the command centre takes the name as given.
        var departmentId = body.DepartmentId.Trim();
        if (http.RequestServices.GetService<IDepartmentDirectory>() is { } departments)
        {
            if (await departments.FindAsync(departmentId, ct) is not { } department)
            {
                return Invalid("departmentId", $"no department '{departmentId}' in the organization (give its id or its code, e.g. DEPT-ENV)");
            }

            departmentId = department.Id;
        }

        var now = clock.GetUtcNow();
        if (body.ReportBy is not { } reportBy || reportBy <= now || reportBy > now + MaxNotice)
        {
            return Invalid("reportBy", "must be a time in the next 30 days");
        }

        if (body.Reason is { Length: > 500 })
        {
            return Invalid("reason", "must be at most 500 characters");
        }

        if (body.CaseId is null && string.IsNullOrWhiteSpace(body.GridId))
        {
            return Invalid("gridId", "a case or a grid to summon to is required");
        }

        if (BadId(body.GridId))
        {
            return Invalid("gridId", "must be a grid id of 1 to 100 characters");
        }

        var scope = UserScope.Of(http.User);
        string domain = Domains.Comprehensive, gridId;
        string[] path;
        if (body.CaseId is { } caseId)
        {
            if (await queries.CaseLocationAsync(scope, caseId, ct) is not { } where)
            {
                return Invalid("caseId", "no such case in your scope");
            }

            (domain, gridId, path) = (where.Domain, where.GridId, where.GridPath);
        }
        else
        {
            gridId = body.GridId!;
            path = await map.PathOfAsync(gridId, ct) ?? [];
            if (path.Length == 0)
            {
                return Invalid("gridId", "unknown grid");
            }
        }

        if (!http.User.Allows(CommandRoles.MaySummon, null, path))
        {
            return TypedResults.Problem(statusCode: 403, title: "The grid is outside your scope");
        }

        // The same Idempotency-Key names the same summons, so a retried POST does not whistle twice.
        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        if (key is { Length: > 200 })
        {
            return Invalid("Idempotency-Key", "must be at most 200 characters");
        }

        var id = key is null ? Guid.NewGuid() : new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"summons:{http.User.FindFirst(GridClaims.Subject)?.Value}:{key}")));
        var e = new DepartmentSummoned
        {
            SummonsId = id,
            CaseId = body.CaseId ?? Guid.Empty,
            Domain = domain,
            GridId = gridId,
            GridPath = path,
            DepartmentId = departmentId,
            SummonedBy = http.User.FindFirst(GridClaims.Subject)?.Value ?? "",
            ReportBy = reportBy.ToUniversalTime(),
            Reason = body.Reason ?? "",
            OccurredAt = now,
        };

        await using (var tx = await db.BeginAsync(ct))
        {
            var inserted = await tx.Connection.ExecuteAsync("""
                INSERT INTO cc_summons (summons_id, case_id, domain, grid_id, grid_path, department_id, summoned_by, reason, summoned_at, report_by)
                VALUES (@SummonsId, @CaseId, @Domain, @GridId, @GridPath, @DepartmentId, @SummonedBy, @Reason, @SummonedAt, @ReportBy)
                ON CONFLICT (summons_id) DO NOTHING
                """, new
            {
                e.SummonsId,
                CaseId = body.CaseId,
                e.Domain,
                e.GridId,
                GridPath = path,
                e.DepartmentId,
                e.SummonedBy,
                e.Reason,
                SummonedAt = now.UtcDateTime,
                ReportBy = e.ReportBy.UtcDateTime,
            }, tx.Transaction);
            if (inserted == 0)
            {
                var existing = (await queries.SummonsAsync(scope, null, id, ct)).First();
                return TypedResults.Ok(existing);
            }

            // Our own event comes back from the broker: mark it handled so it is not applied twice.
            await tx.TryMarkHandledAsync(e.EventId, ReadModelProjector.InboxConsumer, ct);
            tx.Publish(e);
            await tx.CommitAsync(ct);
        }

        http.RequestServices.GetRequiredService<LiveFeed>().Publish(FeedItem.From(e, null));
        var row = (await queries.SummonsAsync(scope, null, id, ct)).First();
        return TypedResults.Created($"/api/command/v1/summons/{id}", row);
    }

    static async Task<Results<Ok<SummonsRow>, NotFound, ProblemHttpResult>> ReportAsync(
        Guid id, HttpContext http, CommandQueries queries, CaseworkDatabase db, TimeProvider clock, CancellationToken ct)
    {
        if (!http.User.Allows(CommandRoles.MayReport, null))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only a department liaison or the command centre may report for duty");
        }

        var scope = UserScope.Of(http.User);
        if ((await queries.SummonsAsync(scope, null, id, ct)).FirstOrDefault() is not { } summons)
        {
            return TypedResults.NotFound();
        }

        if (!http.User.Allows(CommandRoles.MayReport, null, summons.GridPath))
        {
            return TypedResults.Problem(statusCode: 403, title: "None of your posts may report for duty on this grid");
        }

        if (summons.ReportedAt is not null)
        {
            return TypedResults.Problem(statusCode: 409, title: "Already reported for duty", detail: $"Reported at {summons.ReportedAt:O}");
        }

        var now = clock.GetUtcNow();
        var e = new DepartmentReported
        {
            SummonsId = id,
            CaseId = summons.CaseId ?? Guid.Empty,
            Domain = summons.Domain,
            GridId = summons.GridId,
            GridPath = summons.GridPath,
            DepartmentId = summons.DepartmentId,
            ReportBy = summons.ReportBy,
            Late = now.UtcDateTime > summons.ReportBy,
            OccurredAt = now,
        };
        await using (var tx = await db.BeginAsync(ct))
        {
            var updated = await tx.Connection.ExecuteAsync(
                "UPDATE cc_summons SET reported_at = @At WHERE summons_id = @Id AND reported_at IS NULL", new { At = now.UtcDateTime, Id = id }, tx.Transaction);
            if (updated == 0)
            {
                return TypedResults.Problem(statusCode: 409, title: "Already reported for duty");
            }

            await tx.TryMarkHandledAsync(e.EventId, ReadModelProjector.InboxConsumer, ct);
            tx.Publish(e);
            await tx.CommitAsync(ct);
        }

        http.RequestServices.GetRequiredService<LiveFeed>().Publish(FeedItem.From(e, null));
        return TypedResults.Ok((await queries.SummonsAsync(scope, null, id, ct)).First());
    }
}
