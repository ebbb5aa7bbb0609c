namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>污染源监管级别: 国控 (state-monitored), 省控 (province-monitored), 重点 (key), 一般 (ordinary).</summary>
public static class SourceClasses
{
    public const string National = "national";
    public const string Provincial = "provincial";
    public const string Key = "key";
    public const string Ordinary = "ordinary";

    public static readonly IReadOnlyList<string> All = [National, Provincial, Key, Ordinary];
}

/// <summary>排污许可证: a discharge permit on a source's file.</summary>
public sealed record Permit(string Number, string Kind, DateOnly ValidFrom, DateOnly ValidTo);

/// <summary>环保责任人: a person answerable for a source (enterprise side or grid side), with a phone.</summary>
public sealed record ResponsiblePerson(string Name, string Role, string? Phone);

/// <summary>排放口: a discharge point with its limits.</summary>
public sealed record DischargePoint(Guid Id, Guid SourceId, string Code, string Name, string Medium, IReadOnlyList<LimitRule> Limits);

/// <summary>污染源 (一企一档): one file per enterprise — class, permits, discharge points and limits, people, grid.</summary>
public sealed record PollutionSource
{
    public Guid Id { get; init; }

    public string Name { get; init; } = "";

    /// <summary>统一社会信用代码.</summary>
    public string? CreditCode { get; init; }

    /// <summary>See <see cref="SourceClasses"/>.</summary>
    public string Class { get; init; } = SourceClasses.Ordinary;

    public string? Industry { get; init; }

    public string GridId { get; init; } = "";

    public string[] GridPath { get; init; } = [];

    public string? Address { get; init; }

    public double? Longitude { get; init; }

    public double? Latitude { get; init; }

    public IReadOnlyList<Permit> Permits { get; init; } = [];

    public IReadOnlyList<ResponsiblePerson> Responsible { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>True when some permit was valid at some point but none is valid on <paramref name="day"/> (the file was not kept up to date).</summary>
    public bool PermitLapsed(DateOnly day) => Permits.Count > 0 && !Permits.Any(p => p.ValidFrom <= day && day <= p.ValidTo);
}

/// <summary>饮用水水源保护区: a drinking-water protection zone (一级/二级/准保护区).</summary>
public sealed record WaterZone(Guid Id, string Name, string Level, string? WaterBody, string GridId, string[] GridPath, string? Boundary);

/// <summary>
/// 三同时: pollution controls designed, built and put into use at the same time as the project, then completion
/// acceptance (竣工环保验收). Stages move forward only, in this order.
/// </summary>
public static class ProjectStages
{
    public const string Approved = "approved";
    public const string Design = "design";
    public const string Construction = "construction";
    public const string Operation = "operation";
    public const string Accepted = "accepted";
    public const string AcceptanceFailed = "acceptance-failed";

    public static readonly IReadOnlyList<string> Order = [Approved, Design, Construction, Operation, Accepted];

    /// <summary>Null when <paramref name="to"/> may follow <paramref name="from"/>, otherwise why not.</summary>
    public static string? CheckMove(string from, string to)
    {
        if (to == AcceptanceFailed)
        {
            return from == Operation ? null : "acceptance can fail only after operation (同时投产使用)";
        }

        if (from == AcceptanceFailed && to == Accepted)
        {
            return null;
        }

        var i = Order.ToList().IndexOf(from);
        var j = Order.ToList().IndexOf(to);
        if (j < 0)
        {
            return $"unknown stage '{to}'; stages: {string.Join(", ", Order)}, {AcceptanceFailed}";
        }

        return j == i + 1 ? null : $"'{to}' cannot follow '{from}'; the next stage is '{(i + 1 < Order.Count ? Order[i + 1] : "none")}'";
    }
}
