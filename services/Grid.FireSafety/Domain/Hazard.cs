namespace Grid.FireSafety.Domain;

/// <summary>
/// 火灾隐患: fire's facet of a Casework case of domain <c>fire</c>. The life cycle (states, deadlines, escalation,
/// transfer, audit) is the case's; this row holds what only fire knows: the place, the area of the hazard, whether
/// it was fixed on the spot, whether it came from the public (and so may earn a reward).
/// </summary>
public sealed class Hazard
{
    public Guid CaseId { get; set; }

    public string CaseNumber { get; set; } = "";

    public Guid? PlaceId { get; set; }

    /// <summary>See <see cref="HazardAreas"/>; the case's category.</summary>
    public string Area { get; set; } = "";

    /// <summary>重大火灾隐患.</summary>
    public bool Major { get; set; }

    /// <summary>当场整改: fixed while the finder was there.</summary>
    public bool FixedOnSpot { get; set; }

    /// <summary>From the public through the reward centre (有奖举报).</summary>
    public bool PublicReport { get; set; }

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    public DateTimeOffset ReportedAt { get; set; }

    /// <summary>When the village sent it to the township fire office (汇总上报).</summary>
    public DateTimeOffset? SubmittedAt { get; set; }
}

/// <summary>隐患类别: the areas the texts check (用火、用电、用油、用气, 安全疏散, 消防设施).</summary>
public static class HazardAreas
{
    public static readonly string[] All = ["fire", "electricity", "fuel", "gas", "evacuation", "facilities", "other"];

    public static string Name(string area) => area switch
    {
        "fire" => "用火",
        "electricity" => "用电",
        "fuel" => "用油",
        "gas" => "用气",
        "evacuation" => "安全疏散",
        "facilities" => "消防设施器材",
        _ => "其他",
    };
}

/// <summary>整改通知书: the township fire office's order to rectify by a deadline, with the items and the legal basis.</summary>
public sealed class RectificationNotice
{
    public Guid Id { get; set; }

    /// <summary>e.g. 消整字〔2026〕第0001号.</summary>
    public string Number { get; set; } = "";

    public Guid CaseId { get; set; }

    public string CaseNumber { get; set; } = "";

    public Guid? PlaceId { get; set; }

    /// <summary>被责令整改的单位/场所.</summary>
    public string UnitName { get; set; } = "";

    public string? UnitAddress { get; set; }

    public List<string> Items { get; set; } = [];

    public List<string> LegalBasis { get; set; } = [];

    public DateTimeOffset Deadline { get; set; }

    public string IssuedBy { get; set; } = "";

    public string IssuerName { get; set; } = "";

    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>issued, passed (复查合格), failed (复查不合格, rectification continues), closed.</summary>
    public string Status { get; set; } = "issued";

    public List<ReInspection> ReInspections { get; set; } = [];
}

/// <summary>复查: a re-inspection of a rectification.</summary>
public sealed class ReInspection
{
    public DateTimeOffset At { get; set; }

    public string By { get; set; } = "";

    public bool Passed { get; set; }

    public string? Note { get; set; }
}

/// <summary>挂牌督办: the government's listed supervision of a major hazard, with its own deadline.</summary>
public sealed class ListedSupervision
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public string CaseNumber { get; set; } = "";

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>Reported to at once: "立即报告县公安局、消防大队".</summary>
    public List<string> ReportedTo { get; set; } = [];

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset Deadline { get; set; }

    /// <summary>open, lifted (摘牌).</summary>
    public string Status { get; set; } = "open";

    public DateTimeOffset? LiftedAt { get; set; }

    public bool? LiftedOnTime { get; set; }
}

/// <summary>举报奖励: a public report's reward, from intake to payout. Never holds who reported.</summary>
public sealed class RewardClaim
{
    public Guid CaseId { get; set; }

    public string CaseNumber { get; set; } = "";

    public string GridId { get; set; } = "";

    public string[] GridPath { get; set; } = [];

    /// <summary>pending, verified, unverified, paid.</summary>
    public string Status { get; set; } = "pending";

    public bool Major { get; set; }

    public decimal Amount { get; set; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? PaidBy { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>兑现凭证: the payout voucher or transfer reference.</summary>
    public string? PayoutReference { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
