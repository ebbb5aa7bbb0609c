using Grid.Casework.Domain;

namespace Grid.Casework;

/// <summary>
/// Settings of the shared case life cycle for one domain service. Bound from the <c>Casework</c>
/// configuration section, then adjusted by the delegate given to <c>AddCasework</c>.
/// </summary>
public sealed class CaseworkOptions
{
    /// <summary>fire, environment, labor, drugs, cadre (see Grid.Contracts.Events.Domains). Set by AddCasework.</summary>
    public string Domain { get; set; } = "";

    /// <summary>Case number prefix; defaults to the domain in capitals (FIRE-20261123-0042).</summary>
    public string? CaseNumberPrefix { get; set; }

    /// <summary>How many case numbers a replica reserves at a time (<see cref="Infrastructure.CaseNumberBlocks"/>).</summary>
    public int CaseNumberBlock { get; set; } = 20;

    /// <summary>The connection string name of the service's database; defaults to "&lt;domain&gt;db".</summary>
    public string? ConnectionName { get; set; }

    /// <summary>The AMQP connection string name (Aspire convention).</summary>
    public string MessagingConnectionName { get; set; } = "messaging";

    /// <summary>Step → roles allowed (see <see cref="CaseRoles.Defaults"/>).</summary>
    public Dictionary<string, string[]> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Deadline rules added after the defaults of <see cref="DeadlinePolicy"/>.</summary>
    public List<DeadlineRule> Deadlines { get; set; } = [];

    /// <summary>Allowed severities; <see cref="MajorSeverity"/> jumps to the top of the chain.</summary>
    public string[] Severities { get; set; } = [DeadlinePolicy.General, DeadlinePolicy.Serious, DeadlinePolicy.Major, DeadlinePolicy.Emergency];

    public string MajorSeverity { get; set; } = DeadlinePolicy.Major;

    /// <summary>Oldest back-dated (offline) report accepted.</summary>
    public TimeSpan OfflineReportWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the deadline scheduler scans (in the injected TimeProvider's time).</summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromMinutes(1);

    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>The relay also wakes at once when a transaction wrote events; this is the fallback poll.</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int RelayBatchSize { get; set; } = Grid.Messaging.MessagingSettings.DefaultRelayBatchSize;

    /// <summary>How long one publish may wait for the broker's confirm before the batch is retried.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the consumer watchdog looks at this service's queues on the broker; zero turns it off.</summary>
    public TimeSpan WatchdogInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Base64 of 32 random bytes; AES-GCM key of reporter identities. Required to store reporters.</summary>
    public string? ReporterKey { get; set; }

    /// <summary>
    /// Base64 of 32 or more random bytes: the HMAC-SHA-256 key of the audit chain, kept outside the database (bound from
    /// <c>Casework:AuditKey</c> by AddCaseworkMessaging). Required in Production; elsewhere a key of the process is made up.
    /// </summary>
    public string? AuditKey { get; set; }

    /// <summary>How often the audit chain's head is sealed (published and logged); also at start.</summary>
    public TimeSpan AuditSealInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The organization gRPC address; defaults to <c>services:organization:grpc:0</c>.</summary>
    public string? OrganizationAddress { get; set; }

    /// <summary>How long grid chains are cached in memory.</summary>
    public TimeSpan GridCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Declare every subscriber's queue and binding (CaseworkTopology) before the relay publishes.</summary>
    public bool DeclareTopology { get; set; } = true;

    /// <summary>Maximum length of free-text fields (title 200, others this).</summary>
    public int MaxTextLength { get; set; } = 4000;

    /// <summary>Most reports one batch request (批量上报) may carry.</summary>
    public int MaxBatchReports { get; set; } = 100;

    /// <summary>
    /// 合并提交: single reports that arrive together share one transaction (at most MaxBatchReports in one). Off, each
    /// report has a transaction of its own.
    /// </summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>How many grouped-report transactions may be open at once.</summary>
    public int IntakeWriters { get; set; } = 4;

    /// <summary>Adds the domain's own consumers (IdempotentConsumer) and subscriptions to the casework bus.</summary>
    public Action<Microsoft.Extensions.Hosting.CaseworkMessagingBuilder>? ConfigureMessaging { get; set; }

    internal string Prefix => (CaseNumberPrefix ?? Domain).ToUpperInvariant();

    internal string Connection => ConnectionName ?? $"{Domain}db";
}
