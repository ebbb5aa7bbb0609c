using System.Security.Claims;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Microsoft.EntityFrameworkCore;
using static Grid.CadreSupervision.Apis.CadreSupervisionApi;

namespace Grid.CadreSupervision.Apis;

/// <summary>
/// 问责: the breaches of every domain counted per responsible person or unit and month, and the proposed measures,
/// which the county discipline commission confirms or dismisses with a reason. Breaches come from every domain's grid
/// tree, so only a discipline post over the whole county (the root of the cadre hierarchy) reads them.
/// </summary>
public static class AccountabilityApi
{
    public sealed record DecisionRequest(string? Reason);

    public sealed record TraceBackRequest(string? Responsible, string? Period, string? Reason);

    public static RouteGroupBuilder MapAccountabilityApi(this RouteGroupBuilder api)
    {
        api.MapGet("/accountability", Records).WithSummary("Lapses from every domain (breach, closed-late, reopened, summons-late) per responsible person or unit, with counts per month.");
        api.MapGet("/accountability/proposals", Proposals).WithSummary("Proposed measures (通报批评, 诫勉谈话, 一票否决, 责任倒查) and decisions.");
        api.MapPost("/accountability/proposals", ProposeTraceBack).WithSummary("责任倒查: propose tracing responsibility for an accident back through the chain.");
        api.MapPost("/accountability/proposals/{id:guid}/confirm", (Guid id, DecisionRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, TimeProvider time, CancellationToken ct) =>
            DecideAsync(id, true, req, user, casework, grids, time, ct)).WithSummary("Confirm a proposed measure.");
        api.MapPost("/accountability/proposals/{id:guid}/dismiss", (Guid id, DecisionRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, TimeProvider time, CancellationToken ct) =>
            DecideAsync(id, false, req, user, casework, grids, time, ct)).WithSummary("Dismiss a proposed measure, with the reason.");
        return api;
    }

    /// <summary>Null when the caller holds a file owner's post over the whole county; else the 403 to return.</summary>
    internal static async Task<IResult?> DenyCountyAsync(ClaimsPrincipal user, IGridDirectory grids, CancellationToken ct)
    {
        if (CadreAccess.Deny(user, CadreRoles.FileOwners) is { } denied)
        {
            return denied;
        }

        foreach (var post in user.Posts().Where(p => p.HoldsOneOf(CadreRoles.FileOwners) && p.InDomain(Domains.Cadre)))
        {
            if (post.Grid == GridPost.Everywhere || await grids.FindAsync(post.Grid, ct) is { Path.Count: 1 })
            {
                return null;
            }
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Accountability across domains is read by the county discipline commission (a post on the root of the cadre hierarchy).",
            extensions: new Dictionary<string, object?> { ["claim"] = "grid" });
    }

    private static async Task<IResult> Records(
        ClaimsPrincipal user, CadreDbContext db, IGridDirectory grids, string? responsible, string? period, string? kind, string? cursor, int? limit,
        CancellationToken ct)
    {
        if (await DenyCountyAsync(user, grids, ct) is { } denied)
        {
            return denied;
        }

        if (Filter(db, responsible, period, kind) is not { } q)
        {
            return BadKind();
        }

        // Per person or unit and month: every kind together (what the thresholds count) and each kind apart.
        var perKind = await q.GroupBy(r => new { r.Responsible, r.Period, r.Kind })
            .Select(g => new { g.Key.Responsible, g.Key.Period, g.Key.Kind, Count = g.Count() })
            .ToListAsync(ct);
        var counts = perKind.GroupBy(g => (g.Responsible, g.Period))
            .Select(g => new
            {
                responsible = g.Key.Responsible,
                period = g.Key.Period,
                breaches = g.Sum(k => k.Count),
                kinds = g.ToDictionary(k => k.Kind, k => k.Count),
            })
            .OrderByDescending(g => g.breaches).ThenBy(g => g.responsible, StringComparer.Ordinal).Take(500).ToList();
        // The records themselves page in time order (keyset: when, then id), as every list does.
        var page = await q.ReadPageAsync(cursor, limit, r => r.OccurredAt, r => r.Id, ct);
        return page.Problem ?? TypedResults.Ok(new { counts, records = page.Rows, nextCursor = page.Next });
    }

    /// <summary>The records asked for; null for a kind that is none of <see cref="AccountabilityRules.Kinds"/>.</summary>
    internal static IQueryable<AccountabilityRecord>? Filter(CadreDbContext db, string? responsible, string? period, string? kind)
    {
        if (kind is { Length: > 0 } && !AccountabilityRules.Kinds.ContainsKey(kind))
        {
            return null;
        }

        var q = db.Accountability.AsNoTracking();
        if (responsible is { Length: > 0 })
        {
            q = q.Where(r => r.Responsible == responsible);
        }

        if (period is { Length: > 0 })
        {
            q = q.Where(r => r.Period == period);
        }

        return kind is { Length: > 0 } ? q.Where(r => r.Kind == kind) : q;
    }

    internal static IResult BadKind() => GridProblems.Invalid("kind", $"must be one of {string.Join(", ", AccountabilityRules.Kinds.Keys)}");

    private static async Task<IResult> Proposals(ClaimsPrincipal user, CadreDbContext db, IGridDirectory grids, string? state, CancellationToken ct)
    {
        if (await DenyCountyAsync(user, grids, ct) is { } denied)
        {
            return denied;
        }

        var q = db.Proposals.AsNoTracking();
        if (state is { Length: > 0 })
        {
            q = q.Where(p => p.State == state);
        }

        return TypedResults.Ok(await q.OrderByDescending(p => p.CreatedAt).Take(500).ToListAsync(ct));
    }

    private static async Task<IResult> ProposeTraceBack(
        TraceBackRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, TimeProvider time, CancellationToken ct)
    {
        if (await DenyCountyAsync(user, grids, ct) is { } denied)
        {
            return denied;
        }

        var e = new Errors();
        var responsible = e.Text("responsible", req?.Responsible, 200);
        var reason = e.Text("reason", req?.Reason, 1000);
        var period = req?.Period ?? AccountabilityRules.PeriodOf(time.GetUtcNow());
        if (!System.Text.RegularExpressions.Regex.IsMatch(period, @"^\d{4}-(0[1-9]|1[0-2])$"))
        {
            e.Add("period", "must be yyyy-MM");
        }

        if (e.Any)
        {
            return e.Problem();
        }

        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        if (await db.Proposals.AnyAsync(p => p.Responsible == responsible && p.Period == period && p.Measure == AccountabilityRules.TraceBack, ct))
        {
            return GridProblems.Conflict("Already proposed", $"责任倒查 of {responsible} for {period} is already proposed.");
        }

        var proposal = new MeasureProposal
        {
            Id = Guid.CreateVersion7(),
            Responsible = responsible,
            Period = period,
            Measure = AccountabilityRules.TraceBack,
            Breaches = await db.Accountability.CountAsync(r => r.Responsible == responsible && r.Period == period, ct),
            Reason = reason,
            CreatedAt = time.GetUtcNow(),
        };
        db.Proposals.Add(proposal);
        await db.SaveChangesAsync(ct);
        tx.Audit(proposal.Id, user.Subject(), "measure-proposed", "cadre", null, proposal);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/cadre/v1/accountability/proposals/{proposal.Id}", proposal);
    }

    private static async Task<IResult> DecideAsync(
        Guid id, bool confirm, DecisionRequest? req, ClaimsPrincipal user, CaseworkDatabase casework, IGridDirectory grids, TimeProvider time,
        CancellationToken ct)
    {
        if (await DenyCountyAsync(user, grids, ct) is { } denied)
        {
            return denied;
        }

        var reason = req?.Reason?.Trim();
        if (!confirm && string.IsNullOrEmpty(reason))
        {
            return GridProblems.Invalid("reason", "is required to dismiss a proposal");
        }

        if (reason is { Length: > 1000 })
        {
            return GridProblems.Invalid("reason", "at most 1000 characters");
        }

        await using var tx = await casework.BeginAsync(ct);
        await using var db = CadreDbContext.Within(tx);
        var proposal = await db.Proposals.FromSqlRaw("SELECT * FROM cadre.measure_proposals WHERE \"Id\" = {0} FOR UPDATE", id).FirstOrDefaultAsync(ct);
        if (proposal is null)
        {
            return GridProblems.NotFound("Proposal", id);
        }

        if (proposal.State != MeasureProposal.Proposed)
        {
            return GridProblems.Conflict("Already decided", $"The proposal is {proposal.State}.");
        }

        proposal.State = confirm ? MeasureProposal.Confirmed : MeasureProposal.Dismissed;
        proposal.Reason = reason ?? proposal.Reason;
        proposal.DecidedBy = user.Subject();
        proposal.DecidedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        tx.Audit(proposal.Id, proposal.DecidedBy, confirm ? "measure-confirmed" : "measure-dismissed", "cadre", null,
            new { proposal.Id, proposal.Responsible, proposal.Period, proposal.Measure, proposal.State, proposal.Reason });
        await tx.CommitAsync(ct);
        return TypedResults.Ok(proposal);
    }
}
