namespace Grid.DrugSupply.Domain;

/// <summary>
/// 两员档案: the drug network's record of a township coordinator (协管员) or a village informant (信息员), a person posted
/// on a drugs grid at the organization service, keyed by that person's staff id: appointment on the residents'
/// recommendation (聘任, 群众推荐), training, assessment, rewards and penalties, work log, and dismissal (动态管理).
/// </summary>
public sealed class NetworkStaff
{
    public Guid Id { get; set; }

    /// <summary>The person's staff id at the organization service.</summary>
    public string PersonId { get; set; } = "";

    public string Name { get; set; } = "";

    public StaffKind Kind { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>聘任日期.</summary>
    public DateOnly AppointedOn { get; set; }

    /// <summary>群众推荐: who recommended the person (residents' meeting, village committee …).</summary>
    public string RecommendedBy { get; set; } = "";

    public DateOnly RecommendedOn { get; set; }

    public string AppointedBy { get; set; } = "";

    /// <summary>解聘日期: from this day the person no longer counts in the network.</summary>
    public DateOnly? DismissedOn { get; set; }

    public string? DismissalReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool ActiveOn(DateOnly day) => AppointedOn <= day && (DismissedOn is null || DismissedOn > day);
}

/// <summary>两员: which of the two kinds of staff.</summary>
public enum StaffKind
{
    /// <summary>乡镇(街道)协管员, on a township grid, holding the assistant post.</summary>
    Coordinator,

    /// <summary>村(社区)信息员, on a village grid, holding the informant post.</summary>
    Informant,
}

/// <summary>One entry of a staff member's file: a training, an assessment, a reward or penalty, a work-log line.</summary>
public sealed class StaffEntry
{
    public Guid Id { get; set; }

    public Guid StaffId { get; set; }

    public StaffEntryKind Kind { get; set; }

    public DateOnly On { get; set; }

    /// <summary>Training topic, reward or penalty reason, work-log text, assessment notes.</summary>
    public string Text { get; set; } = "";

    /// <summary>Training hours.</summary>
    public decimal? Hours { get; set; }

    /// <summary>Assessment period (考核期): <c>yyyy</c>, <c>yyyy-Hn</c> or <c>yyyy-Qn</c>.</summary>
    public string? Period { get; set; }

    /// <summary>Assessment score, 0–100.</summary>
    public decimal? Score { get; set; }

    /// <summary>Assessment against the pass mark in force when it was recorded.</summary>
    public bool? Passed { get; set; }

    /// <summary>Reward (positive) or penalty amount in yuan, if any.</summary>
    public decimal? Amount { get; set; }

    /// <summary>The supply point a work-log line is about, if any.</summary>
    public Guid? PointId { get; set; }

    public string RecordedBy { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>What a staff entry is.</summary>
public enum StaffEntryKind
{
    /// <summary>培训.</summary>
    Training,

    /// <summary>考核.</summary>
    Assessment,

    /// <summary>奖励.</summary>
    Reward,

    /// <summary>惩戒.</summary>
    Penalty,

    /// <summary>工作记录.</summary>
    WorkLog,
}

/// <summary>Rules of the staff file: the assessment pass mark and the periods an assessment may be of.</summary>
public static class StaffRules
{
    /// <summary>The post a kind of staff holds at the organization service.</summary>
    public static string Role(this StaffKind kind) => kind == StaffKind.Coordinator ? DrugRoles.Coordinator : DrugRoles.Informant;

    /// <summary>A year (2026), a half (2026-H2) or a quarter (2026-Q3).</summary>
    public static bool ValidPeriod(string? period) =>
        period is { Length: >= 4 } p && int.TryParse(p[..4], out var y) && y is >= 2000 and <= 2100
        && (p.Length == 4 || (p.Length == 7 && p[4] == '-' && ((p[5] == 'H' && p[6] is '1' or '2') || (p[5] == 'Q' && p[6] is >= '1' and <= '4'))));

    /// <summary>The quarter period name of a day, e.g. 2026-Q4.</summary>
    public static string QuarterOf(DateOnly day) => $"{day.Year}-Q{((day.Month - 1) / 3) + 1}";
}

/// <summary>The <c>Drugs:Staff</c> section.</summary>
public sealed class StaffOptions
{
    /// <summary>考核合格分: an assessment at or above it passes.</summary>
    public decimal PassMark { get; set; } = 60;
}
