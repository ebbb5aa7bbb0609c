namespace Grid.DrugSupply.Domain;

/// <summary>
/// 供应点 of the supply network (供应网): a convenience pharmacy of a township health centre (便民药房), a drug cabinet
/// of a village clinic (便民药柜), a chain store reaching the villages, a retail pharmacy. Each sits in a drugs grid and
/// is a regulated subject of the organization service, with its licence, its GSP certificate when it sells, and the
/// three unified flags (三统一).
/// </summary>
public sealed class SupplyPoint
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public SupplyPointKind Kind { get; set; }

    /// <summary>The regulated subject's id or unified social credit code at the organization service.</summary>
    public string SubjectId { get; set; } = "";

    public string GridId { get; set; } = "";

    /// <summary>Root first, the point's grid last; scope filters overlap it.</summary>
    public string[] GridPath { get; set; } = [];

    public string? Address { get; set; }

    /// <summary>药品经营许可证 (sellers) or 医疗机构执业许可证 (health centres, clinics).</summary>
    public string LicenceNumber { get; set; } = "";

    public DateOnly? LicenceValidUntil { get; set; }

    /// <summary>GSP 认证证书: required of sellers.</summary>
    public string? GspNumber { get; set; }

    public DateOnly? GspIssuedOn { get; set; }

    public DateOnly? GspValidUntil { get; set; }

    /// <summary>统一采购.</summary>
    public bool UnifiedProcurement { get; set; }

    /// <summary>统一配送.</summary>
    public bool UnifiedDistribution { get; set; }

    /// <summary>统一价格.</summary>
    public bool UnifiedPrice { get; set; }

    /// <summary>规范药房: the last checklist inspection passed all six items.</summary>
    public bool Standard { get; set; }

    public DateOnly? StandardSince { get; set; }

    public DateOnly? LastInspectedOn { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }

    /// <summary>GSP-certified on <paramref name="day"/>: a certificate whose validity covers the day.</summary>
    public bool GspValidOn(DateOnly day) => GspNumber is not null && GspIssuedOn <= day && GspValidUntil >= day;
}

/// <summary>供应点类别.</summary>
public enum SupplyPointKind
{
    /// <summary>乡镇卫生院便民药房.</summary>
    TownshipPharmacy,

    /// <summary>社区卫生服务中心药房.</summary>
    CommunityHealthCentre,

    /// <summary>村卫生室便民药柜.</summary>
    VillageCabinet,

    /// <summary>连锁药店 (直营店/加盟店 进村).</summary>
    ChainStore,

    /// <summary>零售药店.</summary>
    RetailPharmacy,
}

public static class SupplyPointKinds
{
    /// <summary>Sellers (药品经营企业) must hold a GSP certificate.</summary>
    public static bool Sells(this SupplyPointKind kind) => kind is SupplyPointKind.ChainStore or SupplyPointKind.RetailPharmacy;

    /// <summary>Township-level institutions and community health centres (standard pharmacy target 100 %).</summary>
    public static bool TownshipLevel(this SupplyPointKind kind) => kind is SupplyPointKind.TownshipPharmacy or SupplyPointKind.CommunityHealthCentre;
}

/// <summary>What a caller sends to file or change a supply point; <see cref="Check"/> names every bad field.</summary>
public sealed record SupplyPointFacts(
    string? Name, SupplyPointKind? Kind, string? SubjectId, string? GridId, string? Address, string? LicenceNumber,
    DateOnly? LicenceValidUntil, string? GspNumber, DateOnly? GspIssuedOn, DateOnly? GspValidUntil,
    bool? UnifiedProcurement, bool? UnifiedDistribution, bool? UnifiedPrice)
{
    public Dictionary<string, List<string>> Check()
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string f, string m) => (errors.TryGetValue(f, out var l) ? l : errors[f] = []).Add(m);
        Required("name", Name, 200);
        Required("subjectId", SubjectId, 64);
        Required("gridId", GridId, 64);
        Required("licenceNumber", LicenceNumber, 64);
        if (Address is { Length: > 300 })
        {
            Add("address", "must be at most 300 characters");
        }

        if (Kind is not { } kind || !Enum.IsDefined(kind))
        {
            Add("kind", $"is required: one of {string.Join(", ", Enum.GetNames<SupplyPointKind>())}");
        }

        var anyGsp = GspNumber is not null || GspIssuedOn is not null || GspValidUntil is not null;
        if ((Kind is { } k && k.Sells()) || anyGsp)
        {
            // A seller without a certificate may not sell (GSP 认证); a certificate is whole or absent.
            Required("gspNumber", GspNumber, 64);
            if (GspIssuedOn is null)
            {
                Add("gspIssuedOn", "is required with a GSP certificate");
            }

            if (GspValidUntil is null)
            {
                Add("gspValidUntil", "is required with a GSP certificate");
            }
            else if (GspIssuedOn is { } issued && GspValidUntil <= issued)
            {
                Add("gspValidUntil", $"must be after the certificate's issue date {issued:yyyy-MM-dd}");
            }
        }

        return errors;

        void Required(string field, string? value, int max)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, "is required");
            }
            else if (value.Length > max)
            {
                Add(field, $"must be at most {max} characters");
            }
        }
    }

    public void ApplyTo(SupplyPoint p, string[] gridPath)
    {
        p.Name = Name!.Trim();
        p.Kind = Kind!.Value;
        p.SubjectId = SubjectId!.Trim();
        p.GridId = GridId!.Trim();
        p.GridPath = gridPath;
        p.Address = Address?.Trim();
        p.LicenceNumber = LicenceNumber!.Trim();
        p.LicenceValidUntil = LicenceValidUntil;
        p.GspNumber = GspNumber?.Trim();
        p.GspIssuedOn = GspIssuedOn;
        p.GspValidUntil = GspValidUntil;
        p.UnifiedProcurement = UnifiedProcurement ?? false;
        p.UnifiedDistribution = UnifiedDistribution ?? false;
        p.UnifiedPrice = UnifiedPrice ?? false;
    }
}

/// <summary>The authority's calendar day: certificates, inspections and the year are reckoned in China Standard Time (UTC+8).</summary>
public static class DrugsDay
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider time) => Of(time.GetUtcNow());

    public static DateOnly Of(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Offset).DateTime);

    /// <summary>The instant a day [start] begins in China Standard Time, as UTC.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Offset).ToUniversalTime();
}
