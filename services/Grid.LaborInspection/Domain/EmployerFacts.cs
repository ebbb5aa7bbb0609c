namespace Grid.LaborInspection.Domain;

/// <summary>
/// What a person enters for an employer's file, by form or by import row, and the checks on it that need no
/// I/O (the grid and the duplicate identity are checked against the stores by the caller). Errors name fields
/// as the API spells them.
/// </summary>
public sealed record EmployerFacts(
    string? Name, EmployerKind? Kind, string? SubjectId, string? GridId, string? Address, string? LegalRepresentative, string? Phone,
    int? Headcount, int? ContractsSigned, int? ContractsDue, int? InsuranceEnrolled, DateOnly? WagesPaidThrough,
    WorkingHours? WorkingHours, decimal? WeeklyHours)
{
    public Dictionary<string, List<string>> Check(DateOnly today)
    {
        var e = new Dictionary<string, List<string>>();
        void Add(string f, string m) => (e.TryGetValue(f, out var l) ? l : e[f] = []).Add(m);
        void Text(string f, string? v, int max, bool required)
        {
            if (string.IsNullOrWhiteSpace(v))
            {
                if (required)
                {
                    Add(f, "is required");
                }
            }
            else if (v.Trim().Length > max)
            {
                Add(f, $"must be at most {max} characters");
            }
        }

        Text("name", Name, 200, true);
        Text("subjectId", SubjectId, 64, true);
        Text("gridId", GridId, 64, true);
        Text("address", Address, 300, true);
        Text("legalRepresentative", LegalRepresentative, 50, true);
        Text("phone", Phone, 30, false);
        if (Kind is not { } k || !Enum.IsDefined(k))
        {
            Add("kind", "is required: Company, IndividualBusiness or PublicUnit");
        }

        if (WorkingHours is { } w && !Enum.IsDefined(w))
        {
            Add("workingHours", "must be Standard, Comprehensive or Flexible");
        }

        if (Headcount is not { } head)
        {
            Add("headcount", "is required");
        }
        else if (head < 0)
        {
            Add("headcount", "must not be negative");
        }
        else
        {
            Count("contractsSigned", ContractsSigned, head, "the headcount");
            Count("insuranceEnrolled", InsuranceEnrolled, head, "the headcount");
            Count("contractsDue", ContractsDue, ContractsSigned ?? 0, "the contracts signed");
        }

        if (WagesPaidThrough is { } paid && new DateOnly(paid.Year, paid.Month, 1) > new DateOnly(today.Year, today.Month, 1))
        {
            Add("wagesPaidThrough", "must not be a future month");
        }

        if (WeeklyHours is { } h && (h < 0 || h > 168))
        {
            Add("weeklyHours", "must be between 0 and 168");
        }

        return e;

        void Count(string field, int? value, int max, string of)
        {
            if (value is < 0)
            {
                Add(field, "must not be negative");
            }
            else if (value > max)
            {
                Add(field, $"must not exceed {of} ({max})");
            }
        }
    }

    /// <summary>Copies the checked facts onto the file (the grid's path is the caller's).</summary>
    public void ApplyTo(Employer e, string[] gridPath)
    {
        e.Name = Name!.Trim();
        e.Kind = Kind!.Value;
        e.SubjectId = SubjectId!.Trim();
        e.GridId = GridId!.Trim();
        e.GridPath = gridPath;
        e.Address = Address!.Trim();
        e.LegalRepresentative = LegalRepresentative!.Trim();
        e.Phone = string.IsNullOrWhiteSpace(Phone) ? null : Phone.Trim();
        e.Headcount = Headcount!.Value;
        e.ContractsSigned = ContractsSigned ?? 0;
        e.ContractsDue = ContractsDue ?? 0;
        e.InsuranceEnrolled = InsuranceEnrolled ?? 0;
        e.WagesPaidThrough = WagesPaidThrough is { } p ? new DateOnly(p.Year, p.Month, 1) : null;
        e.WorkingHours = WorkingHours ?? Domain.WorkingHours.Standard;
        e.WeeklyHours = WeeklyHours;
    }
}

/// <summary>The bureau's calendar day: deadlines and wage periods are reckoned in China Standard Time (UTC+8, no daylight saving).</summary>
public static class LaborDay
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(Offset).DateTime);
}
