namespace Grid.Contracts.Events;

/// <summary>
/// 留痕封存: a service's audit chain reached this entry (its place and MAC), published so that a copy lives outside the
/// service's database. A chain later found shorter, or with another MAC at that place, was cut or rewritten.
/// </summary>
public sealed record AuditChainSealed : IntegrationEvent
{
    /// <summary>The place of the newest linked entry (0: the chain is empty).</summary>
    public long HeadSeq { get; init; }

    /// <summary>That entry's MAC (HMAC-SHA-256 under the service's audit key, hex).</summary>
    public string HeadHash { get; init; } = "";

    /// <summary>MAC of the seal itself under the same key (domain, head, time): a seal forged without the key shows.</summary>
    public string SealMac { get; init; } = "";
}
