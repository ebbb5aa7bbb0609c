using Grid.Casework.Application;
using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Grid.FireSafety.Domain;
using Grid.FireSafety.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using static Grid.FireSafety.Apis.FireSafetyApi;

namespace Grid.FireSafety.Apis;

/// <summary>
/// 火灾隐患有奖举报 (004 六(八)): intake by the township's reward centre, verification through the hazard's own life
/// cycle, the reward decision (50 / 300 yuan, configurable) and the payout record. The reporter's identity lives only in
/// Casework's sealed reporter store; only the reward-centre role reads it (举报保密).
/// </summary>
public static class RewardsApi
{
    public sealed record ReporterDto(string? Name, string? Phone, string? IdNumber, bool WantsReward);

    public sealed record PublicReportRequest(
        string? GridId, Guid? PlaceId, string? Area, string? Title, string? Description, bool Major, DateTimeOffset? OccurredAt, ReporterDto? Reporter);

    public sealed record PayoutRequest(string? Reference);

    private static readonly string[] Centre = [FireRoles.RewardCentre];

    public static RouteGroupBuilder MapRewardsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/public-reports", Intake).WithSummary("举报受理: a report from the public; the reporter is sealed in Casework's store.");
        api.MapGet("/rewards", List).WithSummary("Reward claims; the reporter's identity for the reward centre only.");
        api.MapPost("/rewards/{caseId:guid}/decision", Decide).WithSummary("奖励认定: verified (立案) → 50 yuan, major → 300 yuan; rejected → none.");
        api.MapPost("/rewards/{caseId:guid}/payout", Payout).WithSummary("兑现: record the payout.");
        return api;
    }

    private static async Task<IResult> Intake(
        PublicReportRequest? req, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpContext h, FireDbContext db, IGridDirectory grids,
        CaseService cases, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, Centre) is { } denied)
        {
            return denied;
        }

        if (req is null)
        {
            return new FieldErrors().Add("body", "is required").Problem();
        }

        var e = new FieldErrors().Require("title", req.Title).Max("description", req.Description, 4000);
        if (req.Area is null || !HazardAreas.All.Contains(req.Area))
        {
            e.Add("area", $"must be one of: {string.Join(", ", HazardAreas.All)}");
        }

        if (req.Reporter is null || string.IsNullOrWhiteSpace(req.Reporter.Name))
        {
            e.Add("reporter.name", "is required: a reward needs someone to pay (it is sealed and shown to the reward centre only)");
        }

        var grid = string.IsNullOrWhiteSpace(req.GridId) ? null : await grids.FindAsync(req.GridId, ct);
        if (grid is null)
        {
            e.Add("gridId", $"grid '{req.GridId}' is unknown");
        }

        if (req.PlaceId is { } pid && !await db.Places.AnyAsync(p => p.Id == pid, ct))
        {
            e.Add("placeId", $"place {pid} is unknown");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        if (FireAccess.Deny(h.User, Centre, grid!.Path) is { } outOfScope)
        {
            return outOfScope;
        }

        var report = new ReportCaseRequest
        {
            Category = req.Area,
            Severity = req.Major ? DeadlinePolicy.Major : DeadlinePolicy.General,
            Title = req.Title,
            Description = req.Description,
            Source = "report",
            GridId = grid.Id,
            OccurredAt = req.OccurredAt,
            Reporter = new ReporterIdentity { Name = req.Reporter!.Name!, Phone = req.Reporter.Phone, IdNumber = req.Reporter.IdNumber, WantsReward = req.Reporter.WantsReward },
        };
        var outcome = await CaseStep.WithAsync(new FireCaseContext { PlaceId = req.PlaceId, PublicReport = true },
            () => cases.ReportAsync(report, CaseworkBridge.ActorOf(h), idempotencyKey, ct));
        return CaseworkBridge.Ok(outcome)
            ? TypedResults.Created($"/api/fire/v1/hazards/{outcome.Case!.Id}", await HazardsApi.ViewAsync(db, CaseView.From(outcome.Case), ct))
            : CaseworkBridge.Problem(outcome);
    }

    /// <summary>Keyset paged by creation time and case (<see cref="KeysetPage"/>), the scope filter in the query.</summary>
    private static async Task<IResult> List(HttpContext h, FireDbContext db, CaseService cases, string? status, string? cursor, int? limit, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, Centre) is { } denied)
        {
            return denied;
        }

        var q = FireAccess.Scoped(db.RewardClaims.AsNoTracking(), h.User, r => r.GridPath);
        if (status is { Length: > 0 })
        {
            q = q.Where(r => r.Status == status);
        }

        var page = await q.ReadPageAsync(cursor, limit, r => r.CreatedAt, r => r.CaseId, ct);
        if (page.Problem is { } bad)
        {
            return bad;
        }

        var actor = CaseworkBridge.ActorOf(h);
        var rows = new List<RewardItem>();
        foreach (var claim in page.Rows)
        {
            // Read through Casework so that its role check (reporter → reward-centre) is the one that decides; each read
            // is audited, so only the page's rows are opened, never the one read to know whether a next page exists.
            var (_, reporter) = await cases.GetReporterAsync(claim.CaseId, actor, ct);
            rows.Add(new RewardItem(claim, reporter));
        }

        return page.Ok(h, rows);
    }

    /// <summary>A reward claim with its reporter, who is shown to the reward centre alone.</summary>
    private sealed record RewardItem(RewardClaim Claim, ReporterIdentity? Reporter);

    private static async Task<IResult> Decide(Guid caseId, HttpContext h, CaseService cases, CaseworkDatabase casework, FireOptions options, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, Centre) is { } denied)
        {
            return denied;
        }

        var got = await cases.GetAsync(caseId, CaseworkBridge.ActorOf(h), ct);
        if (!CaseworkBridge.Ok(got))
        {
            return CaseworkBridge.Problem(got);
        }

        var c = got.Case!;
        if (c.State is CaseState.Reported or CaseState.Escalated)
        {
            return TypedResults.Problem(statusCode: 409, title: "Not yet verified", detail: $"Hazard {c.Number} has not been verified (立案) or refused yet.");
        }

        await using var tx = await casework.BeginAsync(ct);
        await using var db = FireDbContext.Within(tx);
        var claim = await db.RewardClaims.FromSqlRaw("SELECT * FROM fire.reward_claims WHERE \"CaseId\" = {0} FOR UPDATE", caseId).FirstOrDefaultAsync(ct);
        if (claim is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "No reward claim", detail: "This hazard was not reported by the public.");
        }

        if (claim.Status is not "pending")
        {
            return TypedResults.Problem(statusCode: 409, title: "Already decided", detail: $"The claim is {claim.Status}.");
        }

        var verified = c.State is not CaseState.Rejected;
        var before = new { claim.Status, claim.Amount };
        claim.Status = verified ? "verified" : "unverified";
        claim.Major = string.Equals(c.Severity, DeadlinePolicy.Major, StringComparison.OrdinalIgnoreCase);
        claim.Amount = options.Rewards.AmountFor(verified, claim.Major);
        claim.DecidedBy = h.User.Subject();
        claim.DecidedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        tx.Audit(caseId, claim.DecidedBy, "reward-decision", "fire", before, new { claim.Status, claim.Amount, claim.Major });
        await tx.CommitAsync(ct);
        return TypedResults.Ok(claim);
    }

    private static async Task<IResult> Payout(Guid caseId, PayoutRequest? req, HttpContext h, CaseworkDatabase casework, TimeProvider time, CancellationToken ct)
    {
        if (FireAccess.Deny(h.User, Centre) is { } denied)
        {
            return denied;
        }

        var e = new FieldErrors().Require("reference", req?.Reference, 100);
        if (e.Any)
        {
            return e.Problem();
        }

        await using var tx = await casework.BeginAsync(ct);
        await using var db = FireDbContext.Within(tx);
        var claim = await db.RewardClaims.FromSqlRaw("SELECT * FROM fire.reward_claims WHERE \"CaseId\" = {0} FOR UPDATE", caseId).FirstOrDefaultAsync(ct);
        if (claim is null || !FireAccess.InScope(h.User, claim.GridPath))
        {
            return TypedResults.Problem(statusCode: 404, title: "No reward claim");
        }

        if (claim.Status != "verified" || claim.Amount <= 0)
        {
            return TypedResults.Problem(statusCode: 409, title: "Nothing to pay", detail: $"The claim is {claim.Status}; only a verified claim is paid.");
        }

        claim.Status = "paid";
        claim.PaidBy = h.User.Subject();
        claim.PaidAt = time.GetUtcNow();
        claim.PayoutReference = req!.Reference!.Trim();
        await db.SaveChangesAsync(ct);
        tx.Audit(caseId, claim.PaidBy, "reward-payout", "fire", null, new { claim.Amount, claim.PayoutReference });
        await tx.CommitAsync(ct);
        return TypedResults.Ok(claim);
    }
}
