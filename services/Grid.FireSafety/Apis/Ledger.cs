using Grid.FireSafety.Domain;

namespace Grid.FireSafety.Apis;

/// <summary>台账: the Chinese names fire's ledgers print for its categories.</summary>
internal static class Ledger
{
    public static string CategoryName(PlaceCategory c) => c switch
    {
        PlaceCategory.KeyUnitA => "消防安全重点单位(A类)",
        PlaceCategory.KeyUnitB => "消防安全重点单位(B类)",
        PlaceCategory.KeyUnitC => "消防安全重点单位(C类)",
        PlaceCategory.GeneralUnit => "一般单位",
        PlaceCategory.NineSmall => "九小场所",
        PlaceCategory.ThreeInOne => "三合一场所",
        PlaceCategory.StreetShop => "沿街门店",
        PlaceCategory.RentalHousing => "出租房屋",
        _ => "家庭作坊",
    };

    public static string AuthorityName(SupervisingAuthority a) => a == SupervisingAuthority.FireBrigade ? "消防大队" : "派出所";

    public static string ActivityName(InspectionActivity a) => a switch
    {
        InspectionActivity.Inspection => "消防安全检查",
        InspectionActivity.Patrol => "巡查",
        InspectionActivity.SpotCheck => "监督抽查",
        InspectionActivity.HazardCheck => "隐患排查",
        InspectionActivity.Publicity => "消防宣传",
        InspectionActivity.Meeting => "消防例会",
        _ => "整改复查",
    };
}
