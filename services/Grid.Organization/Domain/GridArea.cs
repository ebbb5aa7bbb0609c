namespace Grid.Organization.Domain;

/// <summary>
/// 网格 A grid: one node of a hierarchy's tree over the territory, with a boundary, the people living in
/// it, and its public notice (公示). Hierarchies (fire, environment, labor, drugs, cadre, comprehensive)
/// overlay the same territory; depth varies by place.
/// </summary>
public sealed class GridArea
{
    public Guid Id { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>大网格 / 中网格 / 小网格, 县 / 乡镇 / 村 ... as the hierarchy names its levels.</summary>
    public string LevelName { get; set; } = "";

    /// <summary>0 for a root.</summary>
    public int Depth { get; set; }

    public Guid? ParentId { get; set; }

    public string Hierarchy { get; set; } = "";

    /// <summary>Ancestor ids, root first, the grid itself last.</summary>
    public Guid[] Path { get; set; } = [];

    public int Households { get; set; }

    public int Population { get; set; }

    /// <summary>重点网格.</summary>
    public bool KeyGrid { get; set; }

    /// <summary>The hotline on the public notice board (举报/服务电话).</summary>
    public string? Hotline { get; set; }

    /// <summary>Free text of the public notice (公示).</summary>
    public string? Notice { get; set; }

    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<string> PathStrings => Path.Select(p => p.ToString()).ToList();
}

/// <summary>部门 A department: fire brigade, police station, safety office, environment bureau ...</summary>
public sealed class Department
{
    public Guid Id { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>See <see cref="DepartmentKinds"/>.</summary>
    public string Kind { get; set; } = "";

    public string Domain { get; set; } = "";

    /// <summary>The grid whose territory the department serves, when it is local (派出所, 乡镇安监站).</summary>
    public Guid? GridId { get; set; }
}

/// <summary>工作人员 A real-name staff member (实名). Responsibility is traceable through assignments.</summary>
public sealed class StaffMember
{
    public Guid Id { get; set; }

    /// <summary>工号: the staff number an import keys on.</summary>
    public string? StaffNo { get; set; }

    public string Name { get; set; } = "";

    public string Phone { get; set; } = "";

    public Guid? DepartmentId { get; set; }

    public string? Username { get; set; }

    /// <summary>admin, org-admin, ... roles of the account itself rather than of a grid post.</summary>
    public string[] SystemRoles { get; set; } = [];

    /// <summary>Grid subtrees an account may administer beyond its own posts.</summary>
    public Guid[] ScopeGrids { get; set; } = [];
}

/// <summary>任职 A time-bound assignment of a staff member to a grid in a role and domain.</summary>
public sealed class Assignment
{
    public Guid Id { get; set; }

    public Guid StaffId { get; set; }

    public Guid GridId { get; set; }

    public string Role { get; set; } = "";

    public string Domain { get; set; } = "";

    public DateTime ValidFrom { get; set; }

    public DateTime? ValidTo { get; set; }

    public bool IsValidAt(DateTime at) => ValidFrom <= at && (ValidTo is null || at < ValidTo);
}

/// <summary>监管对象 A regulated subject: an enterprise, unit, place or building, shared master data.</summary>
public sealed class RegulatedSubject
{
    public Guid Id { get; set; }

    /// <summary>统一社会信用代码 (18 characters) when the subject has one.</summary>
    public string? CreditCode { get; set; }

    public string Name { get; set; } = "";

    /// <summary>enterprise, unit, place, building.</summary>
    public string Kind { get; set; } = "";

    /// <summary>e.g. 人员密集场所, 涉气企业, 零售药店.</summary>
    public string Category { get; set; } = "";

    public string Domain { get; set; } = "";

    public string Address { get; set; } = "";

    public double? Longitude { get; set; }

    public double? Latitude { get; set; }

    public Guid? GridId { get; set; }
}
