using Grid.Testing;

namespace Grid.LaborInspection.Tests;

/// <summary>
/// The labor service (<see cref="DomainHost{TProgram}"/>) with grids from the labor hierarchy's organization server:
/// county → town-a → village-a1 / village-a2, county → town-b → village-b1.
/// </summary>
public sealed class LaborHost() : DomainHost<Program>("labor", ThursdayMorning)
{
    /// <summary>The level names of the demo county's labor hierarchy, by depth (the test tree has no area level).</summary>
    public static readonly string[] Levels = ["监察大队", "中队网格", "村(社区)网格", "院落"];

    public static Task<LaborHost> StartAsync(Action<LaborHost>? configure = null) => StartAsync(new LaborHost(), configure);

    /// <summary>A host whose organization names its levels as the demo county does and has <paramref name="staff"/> posted.</summary>
    public static Task<LaborHost> StartAsync(Action<LaborHost>? configure, Action<GridTree> staff) =>
        StartAsync(new LaborHost(), configure, staff: tree =>
        {
            tree.LevelNames = Levels;
            staff(tree);
        });
}
