namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>A source's first case, and where it came from.</summary>
public sealed record FirstCase(Guid SourceId, string SourceName, string Origin, DateTimeOffset OpenedAt);

/// <summary>A task slip as the triggers need it.</summary>
public sealed record SlipState(Guid Id, string Kind, string Title, string Status, DateTimeOffset IssuedAt, DateTimeOffset DueAt, DateTimeOffset? RepliedAt, DateTimeOffset? RefusedAt);

/// <summary>A problem found on patrol, and when its case was reported.</summary>
public sealed record FoundProblem(Guid PatrolId, Guid? SourceId, DateTimeOffset FoundAt, DateTimeOffset? ReportedAt);

/// <summary>One trigger's outcome for a grid and period: how many instances and which.</summary>
public sealed record TriggerResult(int Number, string Code, string Title, int Count, IReadOnlyList<string> Instances)
{
    public bool Triggered => Count > 0;
}

/// <summary>Everything about one grid's subtree in one period that the triggers look at.</summary>
public sealed record GridPeriodFacts(
    string GridId,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<PollutionSource> Sources,
    IReadOnlyList<GridCompliance> Compliance,
    IReadOnlyList<SlipState> Slips,
    IReadOnlyList<FirstCase> FirstCases,
    IReadOnlyList<FoundProblem> FoundProblems);

/// <summary>
/// 通报批评: the six situations in which the bureau criticises a township and its responsible people (000-篇3 §七).
/// Each is made measurable from the records; a count above zero means the trigger is met for the period.
/// </summary>
public static class CriticismTriggers
{
    /// <summary>Sources whose first case came from these origins were found by the grid itself.</summary>
    public static readonly IReadOnlyList<string> GridOwnOrigins = ["patrol", "inspection"];

    public static IReadOnlyList<TriggerResult> Evaluate(GridPeriodFacts f, TimeSpan reportWithin)
    {
        var endDay = DateOnly.FromDateTime(f.To.UtcDateTime.AddTicks(-1));

        // 1 网格监管责任划分不细,留有监管死角、盲点: a source with nobody answerable for it on file.
        var blind = f.Sources.Where(s => s.Responsible.Count == 0).Select(s => $"source {s.Id} {s.Name}: no responsible person").ToList();

        // 2 责任人、联系领导工作不落实: a grid below its required patrols or checks.
        var slack = f.Compliance.Where(c => !c.Met).Select(c => $"{c.Level} grid {c.GridId}: {c.Done} of {c.Required}").ToList();

        // 3 区域或监管内容发生变化,不调整、不上报备案: the source's permits lapsed and the file was not brought up to date.
        var stale = f.Sources.Where(s => s.PermitLapsed(endDay)).Select(s => $"source {s.Id} {s.Name}: no valid permit on file at {endDay:yyyy-MM-dd}").ToList();

        // 4 对环保部门要求给予协助而推诿或不予协助: task slips refused in the period.
        var refused = f.Slips.Where(s => s.RefusedAt is { } t && t >= f.From && t < f.To).Select(s => $"slip {s.Id} {s.Title}: refused").ToList();

        // 5 违法企业在县环保局查处前未发现,或发现后未及时报告: a source's first case came from the bureau (sensor,
        //   complaint, assignment, transfer) rather than the grid's own patrol; or a problem found on patrol reported late.
        var notFound = f.FirstCases.Where(c => c.OpenedAt >= f.From && c.OpenedAt < f.To && !GridOwnOrigins.Contains(c.Origin))
            .Select(c => $"source {c.SourceId} {c.SourceName}: first found by {c.Origin} at {c.OpenedAt:O}")
            .Concat(f.FoundProblems.Where(p => p.FoundAt >= f.From && p.FoundAt < f.To && (p.ReportedAt ?? f.To) - p.FoundAt > reportWithin)
                .Select(p => $"patrol {p.PatrolId}: problem found {p.FoundAt:O}, reported {(p.ReportedAt is { } r ? r.ToString("O") : "not at all")}"))
            .ToList();

        // 6 方案规定的工作职责、内容、要求落实不到位: task slips due in the period and not answered by their due date.
        var unmet = f.Slips.Where(s => s.DueAt >= f.From && s.DueAt < f.To && s.RefusedAt is null && (s.RepliedAt is null || s.RepliedAt > s.DueAt))
            .Select(s => $"slip {s.Id} {s.Title}: due {s.DueAt:O}, {(s.RepliedAt is { } r ? "answered " + r.ToString("O") : "unanswered")}").ToList();

        return
        [
            new(1, "blind-spot", "监管死角、盲点或空白区域", blind.Count, blind),
            new(2, "duties-not-done", "责任人、联系领导工作不落实", slack.Count, slack),
            new(3, "changes-not-filed", "变化未调整、未上报备案", stale.Count, stale),
            new(4, "refused-assistance", "推诿或不予协助", refused.Count, refused),
            new(5, "not-found-first", "查处前未发现或未及时报告", notFound.Count, notFound),
            new(6, "requirements-not-met", "职责、内容、要求落实不到位", unmet.Count, unmet),
        ];
    }
}
