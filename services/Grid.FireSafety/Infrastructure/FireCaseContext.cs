using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Infrastructure;

/// <summary>
/// What a fire endpoint knows about the case step it asks Casework to take (the place, the rectification order,
/// the re-inspection), carried to <see cref="FireCaseHooks"/> so that fire's rows are written inside the case's own
/// transaction. Flows with the async call; null when a step comes through the generic case API.
/// </summary>
internal sealed class FireCaseContext
{
    private static readonly AsyncLocal<FireCaseContext?> Ambient = new();

    public static FireCaseContext? Current => Ambient.Value;

    public Guid? PlaceId { get; init; }

    public bool FixedOnSpot { get; init; }

    public bool PublicReport { get; init; }

    public RectificationNotice? Notice { get; init; }

    public ReInspection? ReInspection { get; init; }

    /// <summary>Sets the context for the duration of one Casework call.</summary>
    public static async Task<T> RunAsync<T>(FireCaseContext context, Func<Task<T>> call)
    {
        var previous = Ambient.Value;
        Ambient.Value = context;
        try
        {
            return await call();
        }
        finally
        {
            Ambient.Value = previous;
        }
    }
}
