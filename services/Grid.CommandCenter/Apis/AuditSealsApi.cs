using Dapper;
using Grid.CommandCenter.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using static Grid.CommandCenter.Apis.ApiHelpers;

namespace Grid.CommandCenter.Apis;

/// <summary>
/// 留痕封存: the seals of every domain's audit chain. An auditor takes a domain's last seal (<c>headSeq</c>, <c>headHash</c>)
/// to that domain's <c>cases/audit/verify?sealSeq=&amp;sealHash=</c>: a chain cut short or rewritten since fails there.
/// </summary>
public static class AuditSealsApi
{
    public const int DefaultSeals = 20;
    public const int MaxSeals = 500;

    /// <summary>One seal as published by the domain.</summary>
    public sealed record AuditSealRow(string Domain, long HeadSeq, string HeadHash, string SealMac, DateTimeOffset SealedAt, DateTimeOffset ReceivedAt);

    /// <summary>
    /// A domain's seals: the last one (the highest head; a later seal cannot lower what an earlier one saw), how many,
    /// when the newest was sealed, when a seal first named a lower head than the last one (the chain shrank), and the newest seals.
    /// </summary>
    public sealed record DomainSeals(string Domain, AuditSealRow Last, long Count, DateTimeOffset LastSealedAt, DateTimeOffset? ShrankAt, IReadOnlyList<AuditSealRow> Recent);

    public static void MapAuditSealsApi(this RouteGroupBuilder api) =>
        api.MapGet("/audit/seals", ListAsync).WithSummary("留痕封存: each domain's audit chain seals, the last one to verify against, and whether a chain shrank");

    static async Task<Results<Ok<IReadOnlyList<DomainSeals>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        HttpContext http, NpgsqlDataSource db, string? domain, int? limit, CancellationToken ct)
    {
        // One post with one of the roles, in the domain asked about (any domain when none is named).
        if (!http.User.Allows(CommandRoles.MaySeeAuditSeals, domain))
        {
            return TypedResults.Problem(statusCode: 403, title: $"Audit seals are for the roles {string.Join(", ", CommandRoles.MaySeeAuditSeals)}");
        }

        if (BadId(domain))
        {
            return Invalid("domain", "1 to 100 characters");
        }

        if (limit is < 1 or > MaxSeals)
        {
            return Invalid("limit", $"1 to {MaxSeals}");
        }

        var scope = UserScope.Of(http.User);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<SealRow>(new CommandDefinition("""
            SELECT h.domain AS "Domain", h.seals AS "Seals", h.last_sealed_at AS "LastSealedAt", h.shrank_at AS "ShrankAt",
                   h.event_id = s.event_id AS "IsLast", s.head_seq AS "HeadSeq", s.head_hash AS "HeadHash", s.seal_mac AS "SealMac",
                   s.sealed_at AS "SealedAt", s.received_at AS "ReceivedAt"
            FROM cc_audit_seal_heads h
            CROSS JOIN LATERAL (
                (SELECT * FROM cc_audit_seals WHERE event_id = h.event_id)
                UNION
                (SELECT * FROM cc_audit_seals r WHERE r.domain = h.domain ORDER BY r.sealed_at DESC LIMIT @take)) s
            WHERE (@domain::text IS NULL OR h.domain = @domain) AND (@domains::text[] IS NULL OR h.domain = ANY(@domains))
            ORDER BY h.domain, s.sealed_at DESC
            """, new { domain = domain?.ToLowerInvariant(), domains = scope.Domains, take = limit ?? DefaultSeals }, cancellationToken: ct))).ToList();

        IReadOnlyList<DomainSeals> result = rows.GroupBy(r => r.Domain).Select(g =>
        {
            var first = g.First();
            var recent = g.OrderByDescending(r => r.SealedAt).Take(limit ?? DefaultSeals).Select(r => r.View()).ToList();
            return new DomainSeals(g.Key, g.First(r => r.IsLast).View(), first.Seals, Utc(first.LastSealedAt), first.ShrankAt is { } at ? Utc(at) : null, recent);
        }).ToList();
        return TypedResults.Ok(result);
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private sealed record SealRow(string Domain, long Seals, DateTime LastSealedAt, DateTime? ShrankAt, bool IsLast, long HeadSeq, string HeadHash, string SealMac, DateTime SealedAt, DateTime ReceivedAt)
    {
        public AuditSealRow View() => new(Domain, HeadSeq, HeadHash, SealMac, Utc(SealedAt), Utc(ReceivedAt));
    }
}
