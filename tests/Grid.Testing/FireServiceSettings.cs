namespace Grid.Testing;

/// <summary>One grid of a fixed tree given to the fire service instead of the organization service (Fire:Grids).</summary>
public sealed record FireGrid(string Id, string Name, string Level, string? Parent = null);

/// <summary>
/// The environment of a fire service run as a process (<see cref="ProjectProcess"/>) on the fixture's servers:
/// a fresh database, the given broker, Redis, a reporter key, an audit key, and a fixed grid tree.
/// </summary>
public static class FireServiceSettings
{
    public static async Task<Dictionary<string, string>> CreateAsync(GridInfrastructure infra, string messaging, string databasePrefix, IEnumerable<FireGrid> grids)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__firedb"] = await infra.CreateDatabaseAsync(databasePrefix),
            ["ConnectionStrings__messaging"] = messaging,
            ["ConnectionStrings__cache"] = infra.RedisConnectionString,
            ["Casework__ReporterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Casework__AuditKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        foreach (var (g, i) in grids.Select((g, i) => (g, i)))
        {
            settings[$"Fire__Grids__{i}__Id"] = g.Id;
            settings[$"Fire__Grids__{i}__Name"] = g.Name;
            settings[$"Fire__Grids__{i}__Level"] = g.Level;
            settings[$"Fire__Grids__{i}__Parent"] = g.Parent ?? "";
        }

        return settings;
    }
}
