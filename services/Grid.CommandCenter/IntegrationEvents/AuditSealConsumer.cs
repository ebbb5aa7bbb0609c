using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Grid.Messaging;
using Microsoft.Extensions.Logging;

namespace Grid.CommandCenter.IntegrationEvents;

/// <summary>
/// 留痕封存: keeps every domain's audit seals here, outside the domain's database, so that an auditor can check a chain
/// against its last seal; the domain's highest seal stays its reference even if a later seal names a lower head (then
/// the chain shrank, and that is recorded). Each seal is written to the log too.
/// </summary>
public sealed class AuditSealConsumer(CaseworkDatabase db, ILogger<AuditSealConsumer> logger) : IdempotentConsumer<AuditChainSealed>(db)
{
    protected override async Task HandleAsync(AuditChainSealed seal, CaseworkTransaction tx, CancellationToken ct)
    {
        // Named parameters: Npgsql splits the two statements and binds each (positional ones allow one statement only).
        await using var cmd = tx.Command("""
            INSERT INTO cc_audit_seals (event_id, domain, head_seq, head_hash, seal_mac, sealed_at) VALUES (@id, @domain, @seq, @hash, @mac, @at);
            INSERT INTO cc_audit_seal_heads AS h (domain, event_id, seals, last_sealed_at) VALUES (@domain, @id, 1, @at)
            ON CONFLICT (domain) DO UPDATE SET
                seals = h.seals + 1,
                last_sealed_at = greatest(h.last_sealed_at, excluded.last_sealed_at),
                event_id = CASE WHEN @seq >= (SELECT head_seq FROM cc_audit_seals WHERE event_id = h.event_id) THEN excluded.event_id ELSE h.event_id END,
                shrank_at = CASE WHEN @seq < (SELECT head_seq FROM cc_audit_seals WHERE event_id = h.event_id) THEN coalesce(h.shrank_at, @at) ELSE h.shrank_at END;
            """);
        cmd.Parameters.AddWithValue("id", seal.EventId);
        cmd.Parameters.AddWithValue("domain", seal.Domain);
        cmd.Parameters.AddWithValue("seq", seal.HeadSeq);
        cmd.Parameters.AddWithValue("hash", seal.HeadHash);
        cmd.Parameters.AddWithValue("mac", seal.SealMac);
        cmd.Parameters.AddWithValue("at", seal.OccurredAt);
        await cmd.ExecuteNonQueryAsync(ct);
        logger.LogInformation("Audit seal received: domain {Domain}, head {HeadSeq} {HeadHash} sealed at {SealedAt:O}", seal.Domain, seal.HeadSeq, seal.HeadHash, seal.OccurredAt);
    }
}
