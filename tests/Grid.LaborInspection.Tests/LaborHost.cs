namespace Grid.LaborInspection.Tests;

/// <summary>
/// The labor service (<see cref="DomainHost{TProgram}"/>) with grids from the labor hierarchy's organization server:
/// county → town-a → village-a1 / village-a2, county → town-b → village-b1.
/// </summary>
public sealed class LaborHost() : DomainHost<Program>("labor", ThursdayMorning)
{
    public static Task<LaborHost> StartAsync(Action<LaborHost>? configure = null) => StartAsync(new LaborHost(), configure);
}
