using Grid.Contracts.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Grid.Casework.Infrastructure;

/// <summary>
/// 留痕封存: at start and every <see cref="CaseworkOptions.AuditSealInterval"/>, links what is queued, then publishes the
/// chain's head (<see cref="AuditChainSealed"/>, through the outbox) and writes it to the log: copies outside the
/// database against which a cut or rewritten chain is found. Only a head that moved since this process's last seal is
/// sealed (an empty chain never), so a quiet service adds no events. Replicas each seal; a seal more is harmless.
/// </summary>
public sealed class AuditSealer(CaseworkDatabase db, CaseworkOptions options, ILogger<AuditSealer> logger) : BackgroundService
{
    private string _lastSealed = AuditChain.Genesis;

    /// <summary>Seals the chain as it is now and returns the seal; with <paramref name="onlyIfMoved"/>, null when the head did not move.</summary>
    public async Task<AuditChainSealed?> SealAsync(CancellationToken ct, bool onlyIfMoved = false)
    {
        var chain = db.Audit ?? throw new InvalidOperationException("This service keeps no audit trail.");
        await db.ChainAuditAsync(logger, ct);
        await using var tx = await db.BeginAsync(ct);
        long seq = 0;
        var head = AuditChain.Genesis;
        await using (var cmd = tx.Command("SELECT seq, hash FROM casework_audit.entries ORDER BY seq DESC LIMIT 1"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                seq = r.GetInt64(0);
                head = r.GetString(1);
            }
        }

        if (onlyIfMoved && head == _lastSealed)
        {
            return null;
        }

        var at = AuditChain.Truncate(db.Time.GetUtcNow());
        var seal = new AuditChainSealed
        {
            Domain = options.Domain,
            OccurredAt = at,
            HeadSeq = seq,
            HeadHash = head,
            SealMac = chain.Seal(options.Domain, seq, head, at),
        };
        tx.Publish(seal);
        await tx.CommitAsync(ct);
        _lastSealed = head;
        logger.LogInformation("Audit chain sealed: domain {Domain}, head {HeadSeq} {HeadHash} at {SealedAt:O}", seal.Domain, seal.HeadSeq, seal.HeadHash, seal.OccurredAt);
        return seal;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await SealAsync(stoppingToken, onlyIfMoved: true);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Sealing the audit chain failed, retried next interval: {Error}", e.Message);
                }

                await Task.Delay(options.AuditSealInterval, db.Time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
