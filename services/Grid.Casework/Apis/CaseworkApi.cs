using System.Security.Claims;
using Grid.Casework;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The generic case endpoints under <c>/api/{domain}/v1/cases</c>. Every endpoint needs a token (the
/// fallback policy) and checks the role of the step, the domain claim and the grid scope of the case.
/// </summary>
public static class CaseworkApi
{
    private static readonly (string Path, CaseAction Action, string Summary)[] CommonSteps =
    [
        ("accept", CaseAction.Accept, "立案"),
        ("reject", CaseAction.Reject, "不予立案"),
        ("dispatch", CaseAction.Dispatch, "派遣"),
        ("start", CaseAction.Start, "开始处置"),
        ("handle", CaseAction.Handle, "处置反馈"),
        ("close", CaseAction.Close, "结案"),
        ("escalate", CaseAction.Escalate, "上报上级网格 (cannot handle)"),
        ("transfer", CaseAction.Transfer, "移交 another domain"),
    ];

    public static RouteGroupBuilder MapCaseworkApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<CaseworkOptions>();
        var api = app.MapGroup($"/api/{options.Domain}/v1/cases").WithTags("cases");
        api.AddEndpointFilter(async (ctx, next) =>
            ctx.HttpContext.User.Allows(null, options.Domain)
            || (ctx.HttpContext.GetEndpoint()?.Metadata.GetMetadata<OpenToComprehensiveFinders>() is not null
                && ctx.HttpContext.User.Allows(null, Domains.Comprehensive))
                ? await next(ctx)
                : TypedResults.Problem(title: "Forbidden", detail: $"None of your posts is in the domain '{options.Domain}'.", statusCode: 403));

        api.MapPost("/", Report).WithMetadata(OpenToComprehensiveFinders.Instance)
            .WithSummary("上报: report a case (Idempotency-Key honoured; comprehensive-grid finders too, by longitude and latitude)");
        api.MapPost("/batch", ReportBatch).WithMetadata(OpenToComprehensiveFinders.Instance)
            .WithSummary("批量上报: several reports at once (Casework:MaxBatchReports, 100), each with its own Idempotency-Key and outcome");
        api.MapGet("/", List).WithMetadata(OpenToComprehensiveFinders.Instance)
            .WithSummary("Cases in your grid scope (a comprehensive-grid finder: the cases they reported), newest first, cursor paged");
        api.MapGet("/{id:guid}", Get).WithMetadata(OpenToComprehensiveFinders.Instance);
        // The steps whose whole request is the common body: one endpoint shape, the action named by the path.
        foreach (var (path, action, summary) in CommonSteps)
        {
            api.MapPost($"/{{id:guid}}/{path}", (Guid id, CaseActionRequest? body, HttpContext h, CaseService s, CancellationToken ct) => Act(id, action, body, h, s, ct))
                .WithSummary(summary);
        }
        api.MapPost("/{id:guid}/verify", Verify).WithSummary("核查: passed=true closes the check, false reopens (返工)");
        api.MapPost("/{id:guid}/summon", Summon).WithSummary("吹哨: summon a department");
        api.MapPost("/{id:guid}/report-for-duty", ReportForDuty).WithSummary("报到: the summoned department arrived");
        api.MapGet("/{id:guid}/breaches", Breaches).WithSummary("Missed deadlines of a case and whose they were");
        api.MapGet("/{id:guid}/reporter", Reporter).WithSummary("举报人: reporter identity (reward centre only)");
        api.MapGet("/audit/verify", VerifyAudit)
            .WithSummary("留痕核验: verify the keyed audit chain (all, ?day=yyyy-MM-dd or ?caseId=), against a seal (?sealSeq=&sealHash=) when given; names the first broken entry");
        return api;
    }

    internal static Actor ActorOf(HttpContext h) => Grid.Casework.Apis.CaseworkHttp.ActorOf(h);

    private static async Task<IResult> Report(ReportCaseRequest? body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpContext h, CaseService s, CancellationToken ct)
    {
        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["a JSON report is required"] });
        }

        var outcome = await s.ReportAsync(body, ActorOf(h), idempotencyKey, ct);
        return outcome.Status == 201
            ? TypedResults.Created($"{h.Request.PathBase}{h.Request.Path.Value?.TrimEnd('/')}/{outcome.Case!.Id}", CaseView.From(outcome.Case))
            : ToResult(outcome);
    }

    private static async Task<IResult> ReportBatch(ReportBatchRequest? body, HttpContext h, CaseService s, CancellationToken ct)
    {
        var max = s.Options.MaxBatchReports;
        if (body?.Reports is not { Count: > 0 } reports || reports.Count > max)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reports"] = [$"must hold 1 to {max} reports"] });
        }

        // Refused whole rather than once per report.
        var actor = ActorOf(h);
        if (s.ReportRefusal(actor) is { } forbidden)
        {
            return ToResult(forbidden);
        }

        // An empty item is refused on its own; the others go on.
        var given = reports.Select((r, i) => (Index: i, Item: r)).Where(x => x.Item?.Report is not null).ToList();
        var outcomes = await s.ReportManyAsync(given.Select(x => (x.Item!.Report!, x.Item.IdempotencyKey)).ToList(), actor, ct);
        var results = new ReportBatchResult[reports.Count];
        for (var i = 0; i < reports.Count; i++)
        {
            results[i] = new ReportBatchResult(i, 400, null, new HttpValidationProblemDetails(new Dictionary<string, string[]> { [$"reports[{i}].report"] = ["is required"] }) { Status = 400 });
        }

        foreach (var ((index, _), o) in given.Zip(outcomes))
        {
            results[index] = o.Status is 200 or 201 && o.Case is not null
                ? new ReportBatchResult(index, o.Status, CaseView.From(o.Case), null)
                : new ReportBatchResult(index, o.Status, null, ProblemOf(o));
        }

        return TypedResults.Ok(new ReportBatchResponse(results.Count(r => r.Status == 201), results.Count(r => r.Status == 200), results.Count(r => r.Status >= 400), results));
    }

    private static async Task<IResult> List(HttpContext h, CaseReads reads, CaseAccess access, string? state, string? gridId, string? cursor, int? limit, CancellationToken ct)
    {
        var actor = ActorOf(h);
        if (access.ReadRefusal(actor) is { } refused)
        {
            return ToResult(refused);
        }

        var errors = new Dictionary<string, string[]>();
        CaseState? st = null;
        if (state is not null)
        {
            if (CaseNames.TryParseState(state, out var parsed)) st = parsed;
            else errors["state"] = [$"must be one of: {string.Join(", ", Enum.GetValues<CaseState>().Select(CaseNames.Of))}"];
        }

        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, out var c) && c > 0) before = c;
            else errors["cursor"] = ["is not a cursor this API returned"];
        }

        if (limit is < 1 or > 200) errors["limit"] = ["must be between 1 and 200"];
        if (gridId is { Length: > 128 }) errors["gridId"] = ["is too long"];
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var take = limit ?? 50;

        var (forbidden, items) = await reads.ListAsync(actor, st, gridId, before, take, ct);
        return forbidden is not null
            ? ToResult(forbidden)
            : TypedResults.Ok(new CasePage(items.Select(CaseView.From).ToList(), items.Count == take ? items[^1].Seq.ToString() : null));
    }

    private static async Task<IResult> Get(Guid id, HttpContext h, CaseService s, CancellationToken ct) =>
        ToResult(await s.GetAsync(id, ActorOf(h), ct));

    private static async Task<IResult> Act(Guid id, CaseAction action, CaseActionRequest? body, HttpContext h, CaseService s, CancellationToken ct) =>
        ToResult(await s.ActAsync(id, action, body ?? new CaseActionRequest(), ActorOf(h), ct));

    private static async Task<IResult> Verify(Guid id, CaseActionRequest? body, HttpContext h, CaseService s, CancellationToken ct)
    {
        if (body?.Passed is not { } passed)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["passed"] = ["is required (true passes, false reopens)"] });
        }

        return ToResult(await s.ActAsync(id, passed ? CaseAction.VerifyPass : CaseAction.VerifyFail, body, ActorOf(h), ct));
    }

    private static async Task<IResult> Summon(Guid id, CaseActionRequest? body, HttpContext h, CaseService s, CancellationToken ct)
    {
        var (outcome, summons) = await s.SummonAsync(id, body ?? new CaseActionRequest(), ActorOf(h), ct);
        return summons is not null ? TypedResults.Created($"{h.Request.Path}/{summons.Id}", summons) : ToResult(outcome);
    }

    private static async Task<IResult> ReportForDuty(Guid id, CaseActionRequest? body, HttpContext h, CaseService s, CancellationToken ct)
    {
        var (outcome, summons) = await s.ReportForDutyAsync(id, body ?? new CaseActionRequest(), ActorOf(h), ct);
        return summons is not null ? TypedResults.Ok(summons) : ToResult(outcome);
    }

    private static async Task<IResult> Breaches(Guid id, HttpContext h, CaseReads reads, CancellationToken ct)
    {
        var (outcome, breaches) = await reads.BreachesAsync(id, ActorOf(h), ct);
        return breaches is not null ? TypedResults.Ok(breaches) : ToResult(outcome);
    }

    private static async Task<IResult> Reporter(Guid id, HttpContext h, CaseService s, CancellationToken ct)
    {
        var (outcome, reporter) = await s.GetReporterAsync(id, ActorOf(h), ct);
        return reporter is not null ? TypedResults.Ok(reporter) : ToResult(outcome);
    }

    private static async Task<IResult> VerifyAudit(
        HttpContext h, CaseAccess access, AuditVerifier verifier, Guid? caseId, string? day, long? sealSeq, string? sealHash, CancellationToken ct)
    {
        if (access.Refuse(ActorOf(h), CaseRoles.AuditVerify) is { } forbidden)
        {
            return ToResult(forbidden);
        }

        var errors = new Dictionary<string, string[]>();
        DateOnly? date = null;
        if (day is not null)
        {
            if (DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d))
            {
                date = d;
            }
            else
            {
                errors["day"] = ["must be a date, yyyy-MM-dd (UTC)"];
            }
        }

        if (caseId is not null && day is not null)
        {
            errors["caseId"] = ["give caseId or day, not both"];
        }

        if (sealSeq is not null != sealHash is not null)
        {
            errors[sealSeq is null ? "sealSeq" : "sealHash"] = ["a seal needs both sealSeq and sealHash"];
        }
        else if (sealSeq < 0)
        {
            errors["sealSeq"] = ["must be 0 or more"];
        }
        else if (sealHash is not null && (sealHash.Length != 64 || !sealHash.All(char.IsAsciiHexDigitLower)))
        {
            errors["sealHash"] = ["must be 64 lower-case hex digits (the seal's headHash)"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var seal = sealSeq is { } seq && sealHash is not null ? new AuditSeal(seq, sealHash) : null;
        return TypedResults.Ok(await verifier.VerifyAsync(caseId, date, seal, ct));
    }

    internal static IResult ToResult(CaseOutcome o) =>
        o.Status is 200 or 201 && o.Case is not null ? TypedResults.Ok(CaseView.From(o.Case)) : TypedResults.Problem(ProblemOf(o));

    /// <summary>A refusal as RFC 7807 problem details: the errors by field when it has them.</summary>
    internal static ProblemDetails ProblemOf(CaseOutcome o)
    {
        if (o.Errors is not null)
        {
            var invalid = new HttpValidationProblemDetails(o.Errors) { Status = o.Status, Detail = o.Detail };
            invalid.Title = o.Title ?? invalid.Title;
            return invalid;
        }

        var problem = new ProblemDetails { Title = o.Title, Detail = o.Detail, Status = o.Status };
        if (o.Extra is not null)
        {
            foreach (var p in o.Extra.GetType().GetProperties())
            {
                problem.Extensions[p.Name] = p.GetValue(o.Extra);
            }
        }

        return problem;
    }
}

/// <summary>Marks the endpoints a comprehensive-grid finder (综合网格员) may call without this department's domain.</summary>
internal sealed class OpenToComprehensiveFinders
{
    public static readonly OpenToComprehensiveFinders Instance = new();
}
