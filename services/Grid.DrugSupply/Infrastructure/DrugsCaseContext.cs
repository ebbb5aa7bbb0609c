using Grid.DrugSupply.Domain;

namespace Grid.DrugSupply.Infrastructure;

/// <summary>
/// What a drug-supply endpoint knows about the case step it asks Casework to take (the inspection that failed or the
/// re-inspection that passed, the storage episode, the sample), carried to <see cref="DrugsCaseHooks"/> through
/// <see cref="Grid.Casework.Apis.CaseStep"/> so that drug supply's rows are written inside the case's own transaction.
/// </summary>
internal sealed class DrugsCaseContext
{
    /// <summary>The inspection to record with this step: a failed one on report, a passed re-inspection on handle.</summary>
    public Inspection? Inspection { get; init; }

    public Guid? EpisodeId { get; init; }

    /// <summary>A sensor's silence (监测中断), linked to the case it opens.</summary>
    public Guid? SilenceId { get; init; }

    /// <summary>A referral to a department, recorded with the dispatch that sends the case there; or its result, with the handle step.</summary>
    public Referral? Referral { get; init; }

    /// <summary>A suspicious sample, recorded with the screening case it opens.</summary>
    public Sample? Sample { get; init; }

    /// <summary>A lab confirmation of a fake or substandard drug: the sample's verdict and the batch blocked at each holding point, with the major case.</summary>
    public Confirmation? Confirmation { get; init; }
}

/// <summary>检验确认: what the lab found and where the batch is to be blocked.</summary>
internal sealed record Confirmation(Guid SampleId, LabVerdict Verdict, string? LabReport, DateTimeOffset At, IReadOnlyList<Recall> Recalls);
