using System.Security.Claims;
using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Roles;
using Grid.DrugSupply.Domain;
using Grid.DrugSupply.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Grid.DrugSupply.Apis.DrugSupplyApi;

namespace Grid.DrugSupply.Apis;

/// <summary>
/// 移送: a report (举报电话, 信息员) outside drug supply's remit goes to the competent department — price violations to the
/// price authority, unlicensed practice to health — as a dispatch of the case to that department, and the department's
/// result comes back as the case's handling result, for the authority to verify and close.
/// </summary>
public static class ReferralsApi
{
    public sealed record ReferRequest(string? DepartmentId, string? Reason);

    public sealed record ResultRequest(string? Result);

    /// <summary>Who records a department's result: the authority, or the department's liaison.</summary>
    private static readonly string[] ResultRecorders = [.. DrugRoles.Authorities, GridRoles.Liaison];

    public static RouteGroupBuilder MapReferralsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/cases/{id:guid}/refer", Refer).WithSummary("移送 a case to the competent department (by default from its category: price → DEPT-PRICE, unlicensed-practice → DEPT-HEALTH).");
        api.MapGet("/cases/{id:guid}/referrals", List).WithSummary("The case's referrals and their results.");
        api.MapPost("/referrals/{id:guid}/result", Result).WithSummary("The department's result back: the case is handled with it, for verification.");
        return api;
    }

    private static async Task<IResult> Refer(
        Guid id, ReferRequest? req, HttpContext h, DrugsDbContext db, CaseService cases, IDepartmentDirectory departments, DrugOptions options,
        TimeProvider time, CancellationToken ct)
    {
        var user = h.User;
        if (DrugsAccess.Deny(user, DrugRoles.Authorities) is { } denied)
        {
            return denied;
        }

        var actor = CaseworkBridge.ActorOf(h);
        var read = await cases.GetAsync(id, actor, ct);
        if (read.Case is not { } c)
        {
            return CaseworkBridge.Problem(read);
        }

        if (DrugsAccess.Deny(user, DrugRoles.Authorities, c.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        if (req?.Reason is { Length: > 1000 })
        {
            return GridProblems.Invalid("reason", "must be at most 1000 characters");
        }

        var code = req?.DepartmentId?.Trim() is { Length: > 0 } given ? given : options.Referrals.DepartmentFor(c.Category);
        if (code is null)
        {
            return GridProblems.Invalid("departmentId", $"is required: no department is configured for category '{c.Category}'");
        }

        if (await departments.FindAsync(code, ct) is not { } department)
        {
            return GridProblems.Invalid("departmentId", $"no department '{code}' in the organization (its id or code, e.g. DEPT-PRICE)");
        }

        if (c.State == CaseState.Reported)
        {
            var accepted = await cases.ActAsync(id, CaseAction.Accept, new CaseActionRequest(), actor, ct);
            if (!CaseworkBridge.Ok(accepted))
            {
                return CaseworkBridge.Problem(accepted);
            }
        }

        var now = time.GetUtcNow();
        var referral = new Referral
        {
            Id = Guid.CreateVersion7(now),
            DepartmentId = department.Id,
            DepartmentCode = department.Code,
            DepartmentName = department.Name,
            Reason = req?.Reason?.Trim(),
            ReferredBy = user.Subject(),
            ReferredAt = now,
            ResultDueBy = now.AddDays(options.Referrals.ResultWithinDays),
            GridPath = [.. c.GridPath],
        };
        var dispatch = new CaseActionRequest { Assignee = department.Name, Department = department.Id, HandleBy = referral.ResultDueBy };
        var sent = await CaseStep.WithAsync(new DrugsCaseContext { Referral = referral }, () => cases.ActAsync(id, CaseAction.Dispatch, dispatch, actor, ct));
        return CaseworkBridge.Ok(sent)
            ? TypedResults.Created($"/api/drugs/v1/cases/{id}/referrals", referral)
            : CaseworkBridge.Problem(sent);
    }

    private static async Task<IResult> List(Guid id, HttpContext h, DrugsDbContext db, CaseService cases, CancellationToken ct)
    {
        if (DrugsAccess.Deny(h.User, DrugRoles.Staff) is { } denied)
        {
            return denied;
        }

        var read = await cases.GetAsync(id, CaseworkBridge.ActorOf(h), ct);
        return read.Case is null
            ? CaseworkBridge.Problem(read)
            : TypedResults.Ok(await db.Referrals.AsNoTracking().Where(r => r.CaseId == id).OrderBy(r => r.ReferredAt).ToListAsync(ct));
    }

    private static async Task<IResult> Result(
        Guid id, ResultRequest? req, ClaimsPrincipal user, DrugsDbContext db, CaseService cases, TimeProvider time, CancellationToken ct)
    {
        if (DrugsAccess.Deny(user, ResultRecorders) is { } denied)
        {
            return denied;
        }

        var referral = await DrugsAccess.Scoped(db.Referrals.AsNoTracking(), user, r => r.GridPath).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (referral is null)
        {
            return GridProblems.NotFound("Referral", id);
        }

        if (DrugsAccess.Deny(user, ResultRecorders, referral.GridPath) is { } outOfScope)
        {
            return outOfScope;
        }

        if (string.IsNullOrWhiteSpace(req?.Result) || req.Result.Length > 2000)
        {
            return GridProblems.Invalid("result", "is required, at most 2000 characters");
        }

        if (referral.Result is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Result on record", detail: "This referral's result is already back.");
        }

        referral.Result = req.Result.Trim();
        referral.ResultRecordedBy = user.Subject();
        referral.ResultAt = time.GetUtcNow();
        var system = Actor.System("drugs:referral-result");
        if ((await cases.GetAsync(referral.CaseId, system, ct)).Case is { State: CaseState.Dispatched })
        {
            var started = await cases.ActAsync(referral.CaseId, CaseAction.Start, new CaseActionRequest(), system, ct);
            if (!CaseworkBridge.Ok(started))
            {
                return CaseworkBridge.Problem(started);
            }
        }

        var handled = await CaseStep.WithAsync(new DrugsCaseContext { Referral = referral }, () => cases.ActAsync(referral.CaseId, CaseAction.Handle,
            new CaseActionRequest { Result = $"{referral.DepartmentName}处理结果: {referral.Result}" }, system, ct));
        return CaseworkBridge.Ok(handled)
            ? TypedResults.Ok(new { referral, state = CaseNames.Of(handled.Case!.State) })
            : CaseworkBridge.Problem(handled);
    }
}
