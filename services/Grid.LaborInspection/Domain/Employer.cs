namespace Grid.LaborInspection.Domain;

/// <summary>
/// 用人单位劳动保障信息档案 (一户一档): one employer's labor file — who employs how many, under which contracts,
/// paid up to which period, insured how far — linked to a regulated subject of the organization service and a grid.
/// </summary>
public sealed class Employer
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public EmployerKind Kind { get; set; }

    /// <summary>统一社会信用代码 or the organization service's subject id: the legal identity (合法性) of the employer.</summary>
    public string SubjectId { get; set; } = "";

    public string GridId { get; set; } = "";

    /// <summary>The grid's ancestor path, root first: scope checks and roll-ups in SQL.</summary>
    public string[] GridPath { get; set; } = [];

    public string Address { get; set; } = "";

    /// <summary>法定代表人 / 负责人 (经营者 of an individual business).</summary>
    public string LegalRepresentative { get; set; } = "";

    public string? Phone { get; set; }

    /// <summary>用工人数: people employed now.</summary>
    public int Headcount { get; set; }

    /// <summary>已签订劳动合同人数.</summary>
    public int ContractsSigned { get; set; }

    /// <summary>Contracts ending within the next 30 days (到期待续签).</summary>
    public int ContractsDue { get; set; }

    /// <summary>参加社会保险人数 (enrolled, of those employed).</summary>
    public int InsuranceEnrolled { get; set; }

    /// <summary>The last wage period paid on time and in full (按时足额支付工资), as its month's first day; null when none.</summary>
    public DateOnly? WagesPaidThrough { get; set; }

    /// <summary>工时制度: standard, comprehensive or flexible (标准工时/综合计算/不定时).</summary>
    public WorkingHours WorkingHours { get; set; }

    /// <summary>Average weekly hours worked, as reported at the last visit.</summary>
    public decimal? WeeklyHours { get; set; }

    /// <summary>Set by the rating on every change of the file or its history.</summary>
    public RiskLevel Risk { get; set; }

    /// <summary>Next routine inspection due, from the rating's interval.</summary>
    public DateOnly NextInspectionDue { get; set; }

    public DateOnly? LastInspectedOn { get; set; }

    /// <summary>Optimistic concurrency: two edits of one file never silently overwrite each other.</summary>
    public uint Version { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>用人单位类型.</summary>
public enum EmployerKind
{
    /// <summary>企业.</summary>
    Company,

    /// <summary>个体工商户.</summary>
    IndividualBusiness,

    /// <summary>机关事业单位、社会团体等 (public unit).</summary>
    PublicUnit,
}

/// <summary>工时制度.</summary>
public enum WorkingHours
{
    /// <summary>标准工时制.</summary>
    Standard,

    /// <summary>综合计算工时制 (approved).</summary>
    Comprehensive,

    /// <summary>不定时工作制 (approved).</summary>
    Flexible,
}

/// <summary>风险等级 of an employer: decides how often it is inspected (分类监管).</summary>
public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>
/// 守法记录: one entry of an employer's compliance history — a complaint, a violation found, an inspection, a
/// settled dispute. Entries are only added, never changed.
/// </summary>
public sealed class ComplianceRecord
{
    public Guid Id { get; set; }

    public Guid EmployerId { get; set; }

    public ComplianceKind Kind { get; set; }

    public DateOnly On { get; set; }

    public string Summary { get; set; } = "";

    /// <summary>The case this entry came from, when it came from one.</summary>
    public Guid? CaseId { get; set; }

    public string RecordedBy { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>守法记录 kinds.</summary>
public enum ComplianceKind
{
    /// <summary>日常巡查/专项检查, nothing found.</summary>
    Inspection,

    /// <summary>投诉/举报 received against the employer.</summary>
    Complaint,

    /// <summary>违法行为 found (责令改正 or 行政处罚).</summary>
    Violation,

    /// <summary>一般性劳动纠纷 settled (调处).</summary>
    Settlement,
}
