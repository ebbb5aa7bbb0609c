using Grid.Testing;

namespace Grid.DrugSupply.Tests;

/// <summary>
/// The drug supply service (<see cref="DomainHost{TProgram}"/>) with grids from the drugs hierarchy's organization
/// server: county → town-a → village-a1 / village-a2, county → town-b → village-b1. Townships are at depth 1 and
/// villages at depth 2 of that tree.
/// </summary>
public sealed class DrugsHost() : DomainHost<Program>("drugs", ThursdayMorning)
{
    public static Task<DrugsHost> StartAsync(Action<DrugsHost>? configure = null, Action<GridTree>? staff = null) =>
        StartAsync(new DrugsHost(), configure, staff: staff);

    protected override void Configure()
    {
        WithSetting("Drugs:Network:TownshipDepth", "1");
        WithSetting("Drugs:Network:VillageDepth", "2");

        // The silent-sensor scan runs when a test calls it, on the fake clock.
        WithSetting("Drugs:Storage:SilenceScanEvery", "00:00:00");
    }
}
