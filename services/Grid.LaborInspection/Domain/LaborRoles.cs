using Grid.Contracts.Roles;

namespace Grid.LaborInspection.Domain;

/// <summary>The roles labor's endpoints know, as tokens carry them (names from <see cref="GridRoles"/>).</summary>
public static class LaborRoles
{
    public const string Admin = GridRoles.Admin;

    /// <summary>区劳动保障监察大队.</summary>
    public const string Brigade = GridRoles.LaborBrigade;

    /// <summary>乡镇劳动保障所 (监察中队).</summary>
    public const string Office = GridRoles.LaborOffice;

    /// <summary>劳动保障监察员.</summary>
    public const string Inspector = GridRoles.LaborInspector;

    /// <summary>劳动保障监察协管员.</summary>
    public const string Coordinator = GridRoles.LaborCoordinator;

    /// <summary>12333 热线.</summary>
    public const string Hotline = GridRoles.LaborHotline;

    /// <summary>Everyone who reads labor files.</summary>
    public static readonly string[] Staff = [Admin, Brigade, Office, Inspector, Coordinator];

    /// <summary>May create and edit employer files (信息采集, 建档).</summary>
    public static readonly string[] FileKeepers = [Admin, Brigade, Office, Inspector, Coordinator];

    /// <summary>May import files in bulk and remove a file (a file removed by mistake is re-imported, so fewer hands).</summary>
    public static readonly string[] FileManagers = [Admin, Brigade, Office];

    /// <summary>Manage the inspection grids: staffing, campaigns (专项检查), statistics and ledgers (the township office and the brigade).</summary>
    public static readonly string[] Managers = [Admin, Brigade, Office];

    /// <summary>May add to an employer's compliance history (检查记录, 违法认定).</summary>
    public static readonly string[] Recorders = [Admin, Brigade, Office, Inspector];
}
