namespace Grid.CadreSupervision.Domain;

/// <summary>四圈 The four circles of a cadre's life outside the eight hours that residents watch: social, life, family, public welfare.</summary>
public static class FourCircles
{
    public const string Social = "social";
    public const string Life = "life";
    public const string Family = "family";
    public const string PublicWelfare = "public-welfare";

    private static readonly Dictionary<string, string> Names = new()
    {
        [Social] = "社交圈",
        [Life] = "生活圈",
        [Family] = "家庭圈",
        [PublicWelfare] = "公益圈",
    };

    /// <summary>The circle's name in a file or ledger (社交圈 …), or the configured key for a circle of the configuration's own.</summary>
    public static string Chinese(string circle) => Names.GetValueOrDefault(circle, circle);

    /// <summary>The checklist items, as the county's supervision scheme words them.</summary>
    public static Dictionary<string, string[]> Defaults() => new()
    {
        [Social] = ["违反政治和组织纪律、泄露秘密、有损党和政府形象的言论和行为", "参加传销、非法组织或封建迷信活动", "遇到社会不良现象能否敢于制止"],
        [Life] = ["搞小圈子、与不法分子频繁来往", "媚上压下、搞不正之风", "接受不正当宴请、公款吃喝玩乐", "沾染黄赌毒等不良习气"],
        [Family] = ["孝敬父母、严格管理教育亲属子女", "对身边工作人员、亲朋好友提出过分要求", "家属影响工作决策、丧失原则"],
        [PublicWelfare] = ["带头参加社区公益活动", "配合社区入户调查、宣传、服务", "遵守公共秩序、爱护公共设施", "向社区党组织建言献策"],
    };
}
