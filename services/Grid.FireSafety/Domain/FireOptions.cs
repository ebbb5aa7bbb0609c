namespace Grid.FireSafety.Domain;

/// <summary>The <c>Fire</c> configuration section: every number the texts leave to local rules, with the texts' defaults.</summary>
public sealed class FireOptions
{
    public const string Section = "Fire";

    /// <summary>Category → authority overrides (e.g. "KeyUnitB": "PoliceStation" for counties that follow 000-篇4).</summary>
    public Dictionary<PlaceCategory, SupervisingAuthority> Supervision { get; set; } = [];

    /// <summary>Replaces <see cref="InspectionRule.Defaults"/> when set.</summary>
    public List<InspectionRule>? InspectionRules { get; set; }

    public KitOptions Kits { get; set; } = new();

    public RewardPolicy Rewards { get; set; } = new();

    public RolloutTargets Rollout { get; set; } = new();

    public RectificationOptions Rectification { get; set; } = new();

    public IReadOnlyList<InspectionRule> Rules => InspectionRules is { Count: > 0 } r ? r : InspectionRule.Defaults;
}

/// <summary>Replaces a required kit list when set.</summary>
public sealed class KitOptions
{
    public List<KitLine>? VillagePoint { get; set; }

    public List<KitLine>? FireTeam { get; set; }

    public IReadOnlyList<KitLine> For(EquipmentPointKind kind) => kind switch
    {
        EquipmentPointKind.FireTeam => FireTeam is { Count: > 0 } f ? f : EquipmentKit.FireTeam,
        _ => VillagePoint is { Count: > 0 } v ? v : EquipmentKit.VillagePoint,
    };
}

/// <summary>
/// 限期整改: the texts say only "督促限期整改", so the deadline is the office's choice within limits configured
/// here; listed supervision (挂牌督办) has its own default deadline.
/// </summary>
public sealed class RectificationOptions
{
    /// <summary>Deadline proposed when the office gives none.</summary>
    public int DefaultDays { get; set; } = 30;

    /// <summary>Longest deadline an ordinary rectification may be given.</summary>
    public int MaxDays { get; set; } = 90;

    /// <summary>Deadline of listed supervision when none is given.</summary>
    public int ListedSupervisionDays { get; set; } = 60;

    /// <summary>Who signs the notice (the township office by default).</summary>
    public string IssuerName { get; set; } = "乡镇消防安全工作办公室";
}
