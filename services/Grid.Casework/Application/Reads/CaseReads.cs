using Grid.Casework.Domain;
using Grid.Casework.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Grid.Casework.Application;

/// <summary>
/// What readers see: one case, a page of cases in the reader's grid scope (a comprehensive-grid finder: their own
/// reports), a case's missed deadlines, and — for the reward centre alone, each read audited — the sealed reporter.
/// </summary>
public sealed class CaseReads(CaseworkDatabase db, CaseworkOptions options, CaseAccess access, ReporterVault vault)
{
    public async Task<CaseOutcome> GetAsync(Guid id, Actor actor, CancellationToken ct)
    {
        if (access.ReadRefusal(actor) is { } forbidden)
        {
            return forbidden;
        }

        await using var conn = await db.DataSource.OpenConnectionAsync(ct);
        var c = await CaseRepository.GetAsync(conn, null, id, false, ct);
        if (c is null)
        {
            return CaseOutcome.NotFound();
        }

        return access.ReadRefusal(actor, c) ?? CaseOutcome.Ok(c);
    }

    /// <summary>Newest first, keyset paged on the case's sequence, the scope filter in the query.</summary>
    public async Task<(CaseOutcome? Refused, IReadOnlyList<Case> Items)> ListAsync(Actor actor, CaseState? state, string? gridId, long? before, int limit, CancellationToken ct)
    {
        if (access.ReadRefusal(actor) is { } forbidden)
        {
            return (forbidden, []);
        }

        var items = access.IsComprehensiveFinder(actor)
            ? await CaseRepository.ListAsync(db.DataSource, null, state, gridId, before, limit, actor.Subject, ct)
            : await CaseRepository.ListAsync(db.DataSource, actor.User?.GridsWhere(access.Roles.Readers, options.Domain), state, gridId, before, limit, null, ct);
        return (null, items);
    }

    /// <summary>A case's missed deadlines and whose they were, for whoever may read the case.</summary>
    public async Task<(CaseOutcome Outcome, IReadOnlyList<BreachRecord>? Breaches)> BreachesAsync(Guid id, Actor actor, CancellationToken ct)
    {
        var outcome = await GetAsync(id, actor, ct);
        return outcome.Case is null ? (outcome, null) : (outcome, await CaseRepository.BreachesAsync(db.DataSource, id, ct));
    }

    /// <summary>The reporter's identity, for the reward centre only; each read is itself audited.</summary>
    public async Task<(CaseOutcome Outcome, ReporterIdentity? Reporter)> GetReporterAsync(Guid id, Actor actor, CancellationToken ct)
    {
        if (actor.IsSystem || access.Refuse(actor, CaseRoles.ReadReporter) is not null)
        {
            return (CaseOutcome.Forbidden($"Reporter identities are for the roles: {string.Join(", ", access.Roles.For(CaseRoles.ReadReporter))}."), null);
        }

        await using var tx = await db.BeginAsync(ct);
        var c = await CaseRepository.GetAsync(tx, id, false, ct);
        if (c is null)
        {
            return (CaseOutcome.NotFound(), null);
        }

        if (access.RefuseOn(actor, CaseRoles.ReadReporter, c.GridPath) is { } outside)
        {
            return (outside, null);
        }

        var sealedReporter = await CaseRepository.GetReporterAsync(tx, id, ct);
        if (sealedReporter is null)
        {
            return (CaseOutcome.NotFound("reporter for this case"), null);
        }

        var reporter = vault.Open(id, sealedReporter);
        tx.Audit(c.Id, actor.Subject, "reporter-read", actor.Origin, null, null);
        await tx.CommitAsync(ct);
        return (CaseOutcome.Ok(c), reporter);
    }
}
