using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Infrastructure;

/// <summary>
/// What a fire endpoint knows about the case step it asks Casework to take (the place, the rectification order,
/// the re-inspection), carried to <see cref="FireCaseHooks"/> so that fire's rows are written inside the case's own
/// transaction through <see cref="Grid.Casework.Application.CaseStep"/>.
/// </summary>
internal sealed class FireCaseContext
{
    public Guid? PlaceId { get; init; }

    public bool FixedOnSpot { get; init; }

    public bool PublicReport { get; init; }

    public RectificationNotice? Notice { get; init; }

    public ReInspection? ReInspection { get; init; }
}
