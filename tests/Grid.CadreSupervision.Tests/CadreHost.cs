using Grid.Testing;

namespace Grid.CadreSupervision.Tests;

/// <summary>
/// The cadre supervision service (<see cref="DomainHost{TProgram}"/>) with grids and departments from the cadre
/// hierarchy's organization server: county → town-a → village-a1 / village-a2, county → town-b → village-b1.
/// </summary>
public sealed class CadreHost() : DomainHost<Program>("cadre", ThursdayMorning)
{
    public static Task<CadreHost> StartAsync(Action<CadreHost>? configure = null) => StartAsync(new CadreHost(), configure);

    /// <summary>On a broker's virtual host shared with another domain's service, whose events it then consumes.</summary>
    public static Task<CadreHost> StartOnAsync(string messaging) => StartAsync(new CadreHost(), null, messaging);

    public HttpClient Discipline(string grid = GridTree.County) => As("discipline-" + grid, "discipline", grid);

    /// <summary>Opens a cadre's file as the county discipline commission; returns its id.</summary>
    public async Task<Guid> CadreAsync(string name, string grid = GridTree.VillageA1, string department = "environment-bureau")
    {
        var r = await Discipline().PostJsonAsync("/api/cadre/v1/cadres", new { name, post = "副局长", departmentId = department, gridId = grid });
        return (await r.OkJsonAsync()).GetProperty("id").GetGuid();
    }

    // The tests run the monthly deadline check themselves, on the fake clock.
    protected override void Configure() => WithSetting("Cadre:Monthly:ScanInterval", "00:00:00");
}
