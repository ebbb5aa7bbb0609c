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

    public Guid? SampleId { get; init; }
}
