using Grid.Contracts.Roles;

namespace Grid.DrugSupply.Domain;

/// <summary>
/// The roles drug supply's endpoints know, as tokens carry them (names from <see cref="GridRoles"/>). The supervision
/// network (监督网) has three levels: the county drug authority and the township market-supervision office hold the
/// grid-chief post of their drugs grid, township coordinators (协管员) the assistant post, village informants (信息员)
/// the informant post.
/// </summary>
public static class DrugRoles
{
    public const string Admin = GridRoles.Admin;

    /// <summary>县药品监管部门 / 乡镇市场监管所: the drugs grid's chief.</summary>
    public const string Authority = GridRoles.GridChief;

    /// <summary>协管员 (township).</summary>
    public const string Coordinator = GridRoles.Assistant;

    /// <summary>信息员 (village).</summary>
    public const string Informant = GridRoles.Informant;

    /// <summary>Everyone who reads drug supply's files.</summary>
    public static readonly string[] Staff = [Admin, Authority, Coordinator, Informant];

    /// <summary>May file and change supply points and take inspections, readings and purchase records.</summary>
    public static readonly string[] Keepers = [Admin, Authority, Coordinator];

    /// <summary>May remove a supply point, re-inspect a rectification, record screening and lab results.</summary>
    public static readonly string[] Authorities = [Admin, Authority];
}
