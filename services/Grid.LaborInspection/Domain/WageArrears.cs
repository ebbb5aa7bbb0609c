namespace Grid.LaborInspection.Domain;

/// <summary>
/// 欠薪: when a wage complaint is an incident for the district rather than a dispute for the township. The texts say
/// only that the township settles ordinary disputes and that incidents go up; the thresholds are configuration
/// (<c>Labor:Arrears</c>), with defaults a county bureau commonly uses for 群体性欠薪.
/// </summary>
public sealed class ArrearsRules
{
    /// <summary>Workers concerned from which a case is major (群体性).</summary>
    public int MajorWorkers { get; set; } = 10;

    /// <summary>Sum claimed (元) from which a case is major.</summary>
    public decimal MajorAmount { get; set; } = 200_000m;

    /// <summary>Departments summoned (吹哨) for a major case, by the organization's codes; null for the defaults.</summary>
    public List<string>? SummonDepartments { get; set; }

    /// <summary>Police and market regulation (configuration replaces, never extends, the list).</summary>
    public IReadOnlyList<string> Summoned => SummonDepartments is { Count: > 0 } d ? d : ["DEPT-POLICE", "DEPT-MARKET"];

    /// <summary>Null for an ordinary dispute, else why the case goes to the district at once.</summary>
    public string? MajorBecause(int workers, decimal? amount)
    {
        if (workers >= MajorWorkers)
        {
            return $"群体性欠薪: {workers} workers (from {MajorWorkers} a case is major).";
        }

        return amount >= MajorAmount ? $"重大欠薪: {amount:0.00} 元 claimed (from {MajorAmount:0.00} 元 a case is major)." : null;
    }
}

/// <summary>调处记录: a township's mediation of an ordinary wage dispute — parties, amounts, when paid.</summary>
public sealed class Mediation
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public Guid EmployerId { get; set; }

    /// <summary>当事人: "employer: name" / "worker: name" lines as the record lists them.</summary>
    public List<string> Parties { get; set; } = [];

    public decimal AmountClaimed { get; set; }

    public decimal AmountAgreed { get; set; }

    public DateOnly? PaidOn { get; set; }

    public string MediatedBy { get; set; } = "";

    public DateOnly MediatedOn { get; set; }

    /// <summary>Amounts in 元 with at most two decimals (分), never negative: errors by field.</summary>
    public static Dictionary<string, List<string>> Check(IReadOnlyList<MediationParty>? parties, decimal? claimed, decimal? agreed, DateOnly? paidOn, DateOnly today)
    {
        var e = new Dictionary<string, List<string>>();
        void Add(string f, string m) => (e.TryGetValue(f, out var l) ? l : e[f] = []).Add(m);
        void Money(string f, decimal? v)
        {
            if (v is not { } m)
            {
                Add(f, "is required");
            }
            else if (m < 0)
            {
                Add(f, "must not be negative");
            }
            else if (m != Math.Round(m, 2) || m > 999_999_999_999.99m)
            {
                Add(f, "must be in 元 with at most two decimals");
            }
        }

        Money("amountClaimed", claimed);
        Money("amountAgreed", agreed);
        if (parties is null || !parties.Any(p => p.Side == "employer") || !parties.Any(p => p.Side == "worker"))
        {
            Add("parties", "must name the employer's side and at least one worker");
        }
        else if (parties.Any(p => p.Side is not ("employer" or "worker") || string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > 50))
        {
            Add("parties", "each party needs side employer or worker and a name of at most 50 characters");
        }

        if (paidOn > today)
        {
            Add("paidOn", "must not be in the future");
        }

        return e;
    }
}

/// <summary>One party to a mediation.</summary>
public sealed record MediationParty(string? Side, string? Name);
