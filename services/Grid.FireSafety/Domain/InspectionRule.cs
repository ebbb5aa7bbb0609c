using Grid.Casework.Infrastructure;
namespace Grid.FireSafety.Domain;

/// <summary>检查/巡查种类: what an inspection record is.</summary>
public enum InspectionActivity
{
    /// <summary>消防安全检查.</summary>
    Inspection,

    /// <summary>巡查/巡防.</summary>
    Patrol,

    /// <summary>消防监督抽查 (派出所).</summary>
    SpotCheck,

    /// <summary>火灾隐患排查.</summary>
    HazardCheck,

    /// <summary>消防宣传.</summary>
    Publicity,

    /// <summary>消防例会/联席会议.</summary>
    Meeting,

    /// <summary>整改复查.</summary>
    ReInspection,
}

/// <summary>The calendar period a required frequency counts in (China Standard Time, weeks start on Monday).</summary>
public enum RulePeriod
{
    Day,
    Week,
    Month,
    TwoMonths,
    Quarter,
}

/// <summary>Whom a frequency binds: each person holding a role, or each grid of a level.</summary>
public enum RuleTarget
{
    Person,
    Grid,
}

/// <summary>
/// 检查频次: a required frequency, "N times per period" of one activity, for each holder of a role (optionally
/// only at one grid level) or for each grid of a level. The night window expresses "主要集中在晚上8时至次日凌晨1时":
/// at least <see cref="NightShare"/> of the required count must start inside it.
/// </summary>
public sealed record InspectionRule
{
    public string Key { get; init; } = "";

    public RuleTarget Target { get; init; } = RuleTarget.Person;

    /// <summary>For person rules: the role (see <see cref="FireRoles"/>).</summary>
    public string? Role { get; init; }

    /// <summary>large (大网格), mid (中网格), small (小网格); for person rules, the level of the person's grid.</summary>
    public string? GridLevel { get; init; }

    public InspectionActivity Activity { get; init; }

    public int Count { get; init; } = 1;

    public RulePeriod Period { get; init; } = RulePeriod.Week;

    public TimeOnly? NightFrom { get; init; }

    public TimeOnly? NightTo { get; init; }

    public double NightShare { get; init; }

    /// <summary>The sentence of the source text the number comes from.</summary>
    public string Source { get; init; } = "";

    /// <summary>How many of <see cref="Count"/> must fall in the night window (0 when there is none).</summary>
    public int NightRequired => NightFrom is null || NightTo is null ? 0 : (int)Math.Ceiling(Count * NightShare);

    public bool IsNight(TimeOnly localTime) =>
        NightFrom is { } from && NightTo is { } to
        && (from <= to ? localTime >= from && localTime < to : localTime >= from || localTime < to);

    /// <summary>The frequencies the texts give; configuration (Fire:InspectionRules) replaces the whole list.</summary>
    public static IReadOnlyList<InspectionRule> Defaults { get; } =
    [
        new()
        {
            Key = "township-office-monthly", Role = FireRoles.TownshipFireOffice, Activity = InspectionActivity.Inspection,
            Count = 1, Period = RulePeriod.Month, Source = "004 六(三): 乡镇安监办……每月组织一次有针对性的检查巡查",
        },
        new()
        {
            Key = "village-manager-weekly", Role = FireRoles.VillageFireManager, Activity = InspectionActivity.Inspection,
            Count = 1, Period = RulePeriod.Week, Source = "004 六(三): 村居(社区)消防管理人员在辖区内每周要开展一次日常消防安全检查",
        },
        new()
        {
            Key = "patrol-daily", Role = FireRoles.Patrol, Activity = InspectionActivity.Patrol,
            Count = 1, Period = RulePeriod.Day, Source = "004 六(三): 保安、巡防队员和多种形式消防队员每天结合各自岗位职责开展消防巡查检查",
        },
        new()
        {
            Key = "police-weekly-spot-check", Role = FireRoles.PoliceStation, Activity = InspectionActivity.SpotCheck,
            Count = 1, Period = RulePeriod.Week, Source = "004 六(三): 公安派出所每周组织对管辖单位开展一次消防监督抽查",
        },
        new()
        {
            Key = "supervisor-night-patrol", Role = FireRoles.FireSupervisor, Activity = InspectionActivity.Patrol,
            Count = 2, Period = RulePeriod.Week, NightFrom = new TimeOnly(20, 0), NightTo = new TimeOnly(1, 0), NightShare = 0.5,
            Source = "000-篇2 3.3: 消防监督员的巡防一般每周2次以上,巡防时间主要集中在晚上8时至次日凌晨1时",
        },
        new()
        {
            Key = "small-grid-daily-patrol", Target = RuleTarget.Grid, GridLevel = GridLevels.Small, Activity = InspectionActivity.Patrol,
            Count = 1, Period = RulePeriod.Day, Source = "003 四(三): 小网格……坚持日常巡查",
        },
        new()
        {
            Key = "small-grid-monthly-hazard-check", Target = RuleTarget.Grid, GridLevel = GridLevels.Small,
            Activity = InspectionActivity.HazardCheck, Count = 1, Period = RulePeriod.Month,
            Source = "003 四(三): 小网格……每月定期组织火灾隐患排查",
        },
        new()
        {
            Key = "small-grid-worker-inspection", Role = FireRoles.GridWorker, GridLevel = GridLevels.Small,
            Activity = InspectionActivity.Inspection, Count = 2, Period = RulePeriod.Week,
            Source = "002-篇2: 小网格员主要为每周2次的消防检查任务、每周1次的消防宣传任务",
        },
        new()
        {
            Key = "small-grid-worker-publicity", Role = FireRoles.GridWorker, GridLevel = GridLevels.Small,
            Activity = InspectionActivity.Publicity, Count = 1, Period = RulePeriod.Week,
            Source = "002-篇2: 小网格员主要为每周2次的消防检查任务、每周1次的消防宣传任务",
        },
        new()
        {
            Key = "mid-grid-worker-monthly", Role = FireRoles.GridWorker, GridLevel = GridLevels.Mid,
            Activity = InspectionActivity.Meeting, Count = 1, Period = RulePeriod.Month,
            Source = "002-篇2: 中网格员主要为每月1次的消防例会任务、消防宣传任务",
        },
        new()
        {
            Key = "large-grid-worker-quarterly", Role = FireRoles.GridWorker, GridLevel = GridLevels.Large,
            Activity = InspectionActivity.Meeting, Count = 1, Period = RulePeriod.Quarter,
            Source = "002-篇2: 大网格员主要为每季度1次的消防例会任务和消防宣传任务",
        },
        new()
        {
            Key = "township-joint-meeting", Target = RuleTarget.Grid, GridLevel = GridLevels.Large,
            Activity = InspectionActivity.Meeting, Count = 1, Period = RulePeriod.TwoMonths,
            Source = "004 六(五): 各乡镇政府负责本辖区联席会议的组织实施,每两个月组织召开一次",
        },
    ];
}

/// <summary>Fire's grid levels (004 三): county above, 大网格 township, 中网格 village/community, 小网格 area/group.</summary>
public static class GridLevels
{
    public const string County = GridLevelNames.County;
    public const string Large = GridLevelNames.Large;
    public const string Mid = GridLevelNames.Mid;
    public const string Small = GridLevelNames.Small;

    public static readonly string[] All = [County, Large, Mid, Small];
}
