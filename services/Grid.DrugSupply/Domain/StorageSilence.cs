namespace Grid.DrugSupply.Domain;

/// <summary>
/// 监测中断: a point whose storage sensors had been sending readings and then sent none for longer than the configured
/// silence window. One per episode of silence: the scan opens it (and its case) once, and the next reading that
/// arrives ends it.
/// </summary>
public sealed class StorageSilence
{
    public Guid Id { get; set; }

    public Guid PointId { get; set; }

    /// <summary>The time of the last reading before the silence.</summary>
    public DateTimeOffset LastReadingAt { get; set; }

    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>The time of the first reading after it.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    public Guid? CaseId { get; set; }

    public string[] GridPath { get; set; } = [];
}
