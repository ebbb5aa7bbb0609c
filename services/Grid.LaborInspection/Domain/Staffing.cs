using Grid.Contracts.Roles;

namespace Grid.LaborInspection.Domain;

/// <summary>
/// 人员配备: the least staff each labor grid must have — at least 2 full- or part-time inspectors (专兼职劳动保障监察员)
/// per township grid, 2 coordinators (劳动保障监察协管员) per village or community grid. Which grids are which is told
/// by the organization's level names; every number and role is configuration (<c>Labor:Staffing</c>).
/// </summary>
public sealed class StaffingRules
{
    /// <summary>The level name of the township grids (乡镇/街道, an industrial park as one of them).</summary>
    public string TownshipLevel { get; set; } = "中队网格";

    /// <summary>The level name of the village and community grids (三级网格).</summary>
    public string VillageLevel { get; set; } = "村(社区)网格";

    public int InspectorsPerTownship { get; set; } = 2;

    public int CoordinatorsPerVillage { get; set; } = 2;

    /// <summary>Posts counted as inspectors of a township; null for the defaults (configuration replaces, never extends, the list).</summary>
    public List<string>? InspectorRoles { get; set; }

    /// <summary>Posts counted as coordinators of a village; null for the defaults.</summary>
    public List<string>? CoordinatorRoles { get; set; }

    public IReadOnlyList<string> Inspectors => InspectorRoles is { Count: > 0 } r ? r : [GridRoles.LaborInspector];

    public IReadOnlyList<string> Coordinators => CoordinatorRoles is { Count: > 0 } r ? r : [GridRoles.LaborCoordinator];

    /// <summary>What a grid of this level must have; null for a level without a minimum (the district, an area).</summary>
    public StaffingRequirement? For(string level, Func<string, string> normalize)
    {
        if (level == normalize(TownshipLevel))
        {
            return new StaffingRequirement("专兼职劳动保障监察员", Inspectors, InspectorsPerTownship);
        }

        return level == normalize(VillageLevel) ? new StaffingRequirement("劳动保障监察协管员", Coordinators, CoordinatorsPerVillage) : null;
    }
}

/// <summary>The post a grid must fill, the roles that fill it, and how many people at least.</summary>
public sealed record StaffingRequirement(string Post, IReadOnlyList<string> Roles, int Minimum)
{
    /// <summary>The people on the grid holding one of the roles (a person with two such posts counts once), and the gap.</summary>
    public StaffingCheck Check(IEnumerable<(string Id, string Name, string Role)> staff)
    {
        var present = staff.Where(s => Roles.Contains(s.Role)).DistinctBy(s => s.Id).Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
        return new StaffingCheck(Post, Roles, Minimum, present.Count, Math.Max(0, Minimum - present.Count), present);
    }
}

/// <summary>One grid against its minimum: required, present (with their names) and missing.</summary>
public sealed record StaffingCheck(string Post, IReadOnlyList<string> Roles, int Required, int Present, int Missing, IReadOnlyList<string> People);
