namespace Grid.FireSafety.Domain;

/// <summary>
/// 监管分工: the category of a place decides its supervising authority. The default is 004 §五(二):
/// "消防重点单位、一般单位由公安消防大队负责监管,'九小'场所由辖区派出所负责监管"; places the texts name
/// only as weak spots (三合一, street-front shops, rental housing, family workshops: 004 §八(三)) follow the
/// police station, which 004 §五(五) makes responsible for 九小场所 "和村居(社区)". Some counties split key
/// units instead (000-篇4: A class by the brigade, B/C by the police station), so every entry can be
/// overridden in configuration (Fire:Supervision).
/// </summary>
public sealed class SupervisionRouting
{
    public static readonly IReadOnlyDictionary<PlaceCategory, SupervisingAuthority> Defaults =
        new Dictionary<PlaceCategory, SupervisingAuthority>
        {
            [PlaceCategory.KeyUnitA] = SupervisingAuthority.FireBrigade,
            [PlaceCategory.KeyUnitB] = SupervisingAuthority.FireBrigade,
            [PlaceCategory.KeyUnitC] = SupervisingAuthority.FireBrigade,
            [PlaceCategory.GeneralUnit] = SupervisingAuthority.FireBrigade,
            [PlaceCategory.NineSmall] = SupervisingAuthority.PoliceStation,
            [PlaceCategory.ThreeInOne] = SupervisingAuthority.PoliceStation,
            [PlaceCategory.StreetShop] = SupervisingAuthority.PoliceStation,
            [PlaceCategory.RentalHousing] = SupervisingAuthority.PoliceStation,
            [PlaceCategory.FamilyWorkshop] = SupervisingAuthority.PoliceStation,
        };

    private readonly Dictionary<PlaceCategory, SupervisingAuthority> _map;

    public SupervisionRouting(IReadOnlyDictionary<PlaceCategory, SupervisingAuthority>? overrides = null)
    {
        _map = new Dictionary<PlaceCategory, SupervisingAuthority>(Defaults);
        foreach (var (k, v) in overrides ?? new Dictionary<PlaceCategory, SupervisingAuthority>())
        {
            _map[k] = v;
        }
    }

    public SupervisingAuthority AuthorityFor(PlaceCategory category) => _map[category];

    /// <summary>The role whose holders act for an authority (tokens carry it).</summary>
    public static string RoleOf(SupervisingAuthority authority) => authority switch
    {
        SupervisingAuthority.FireBrigade => FireRoles.FireBrigade,
        _ => FireRoles.PoliceStation,
    };

    public static bool IsKeyUnit(PlaceCategory c) => c is PlaceCategory.KeyUnitA or PlaceCategory.KeyUnitB or PlaceCategory.KeyUnitC;
}
