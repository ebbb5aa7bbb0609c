namespace Grid.EnvironmentMonitoring.Domain;

/// <summary>Kinds of 交办单: a complaint (投诉/举报) assigned down, an assignment from above (交办), a dispute (污染纠纷).</summary>
public static class TaskSlipKinds
{
    public const string Complaint = "complaint";
    public const string Assignment = "assignment";
    public const string Dispute = "dispute";

    public static readonly IReadOnlyList<string> All = [Complaint, Assignment, Dispute];
}

/// <summary>
/// 交办单: a task slip sent down to a grid. The grid accepts (or refuses: 推诿, a criticism trigger), handles and
/// replies, and the issuer checks afterwards (整改后督查). Disputes go mediate → reply → follow-up check
/// (调处 → 答复 → 回访). The case behind the slip keeps the shared life cycle; the slip records the domain's steps.
/// </summary>
public static class TaskSlipFlow
{
    public const string Issued = "issued";
    public const string Accepted = "accepted";
    public const string Refused = "refused";
    public const string Mediated = "mediated";
    public const string Replied = "replied";
    public const string Checked = "checked";

    /// <summary>The step names, which are also the states they lead to.</summary>
    private static readonly Dictionary<string, (string From, string To)[]> Moves = new()
    {
        [TaskSlipKinds.Complaint] = [(Issued, Accepted), (Issued, Refused), (Accepted, Replied), (Replied, Checked)],
        [TaskSlipKinds.Assignment] = [(Issued, Accepted), (Issued, Refused), (Accepted, Replied), (Replied, Checked)],
        [TaskSlipKinds.Dispute] = [(Issued, Accepted), (Issued, Refused), (Accepted, Mediated), (Mediated, Replied), (Replied, Checked)],
    };

    /// <summary>Null when the move is allowed, otherwise why not.</summary>
    public static string? CheckMove(string kind, string from, string to)
    {
        if (!Moves.TryGetValue(kind, out var moves))
        {
            return $"unknown kind '{kind}'";
        }

        if (moves.Any(m => m.From == from && m.To == to))
        {
            return null;
        }

        var next = moves.Where(m => m.From == from).Select(m => m.To).ToList();
        return next.Count == 0
            ? $"a {kind} slip that is {from} takes no further steps"
            : $"a {kind} slip that is {from} can only go to: {string.Join(", ", next)}";
    }

    /// <summary>Open (still owed by the grid) when neither refused nor replied yet.</summary>
    public static bool OwedByGrid(string status) => status is Issued or Accepted or Mediated;
}
