using Grid.Contracts.Roles;

namespace Grid.CadreSupervision.Domain;

/// <summary>The roles cadre supervision's endpoints know, as tokens carry them (names from <see cref="GridRoles"/>).</summary>
public static class CadreRoles
{
    public const string Admin = GridRoles.Admin;

    /// <summary>纪检监察 (县纪委监委, 乡镇纪委): owns the files, issues warnings, opens reporters, decides accountability.</summary>
    public const string Discipline = GridRoles.Discipline;

    /// <summary>网格监督员: records what residents report about the cadres living in the grid.</summary>
    public const string Supervisor = GridRoles.Supervisor;

    /// <summary>网格长 (组长 of the grid's supervision group).</summary>
    public const string GridChief = GridRoles.GridChief;

    /// <summary>用人单位联络人: reads its own unit's warnings and tasks.</summary>
    public const string Unit = GridRoles.CadreUnit;

    /// <summary>Keep the files: create cadres, issue warnings, decide on proposals.</summary>
    public static readonly string[] FileOwners = [Admin, Discipline];

    /// <summary>Record in a grid's register (登记册) and pass on residents' reports.</summary>
    public static readonly string[] Recorders = [Discipline, Supervisor, GridChief];
}
