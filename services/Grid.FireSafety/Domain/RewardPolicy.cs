namespace Grid.FireSafety.Domain;

/// <summary>
/// 举报奖励标准 (000-篇2 3.5): "凡发现并查实的火灾隐患,按照每条50元的标准发放奖金;如构成重大火灾隐患的……按照300元的标准进行重奖".
/// Amounts in yuan, configurable (Fire:Rewards).
/// </summary>
public sealed record RewardPolicy
{
    public decimal PerVerifiedHazard { get; init; } = 50m;

    public decimal PerMajorHazard { get; init; } = 300m;

    /// <summary>The reward a verified report earns; an unverified one earns nothing.</summary>
    public decimal AmountFor(bool verified, bool major) => !verified ? 0m : major ? PerMajorHazard : PerVerifiedHazard;
}

/// <summary>
/// 推行目标 (004 二): 30% of townships "责任明晰、机制健全、运行高效" in the first year, then 60%, 80% and 100%. The source
/// leaves the years blank ("年、年和年"), so the first year is configuration (Fire:Rollout:FirstYear).
/// </summary>
public sealed record RolloutTargets
{
    public int FirstYear { get; init; } = 2026;

    public int[] Percentages { get; init; } = [30, 60, 80, 100];

    /// <summary>The target percentage for a year; 0 before the first, 100 (the last step) after the last.</summary>
    public int TargetFor(int year) =>
        year < FirstYear ? 0 : Percentages[Math.Min(year - FirstYear, Percentages.Length - 1)];
}
