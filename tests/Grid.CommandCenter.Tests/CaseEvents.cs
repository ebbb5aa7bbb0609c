using Grid.Contracts.Events;

namespace Grid.CommandCenter.Tests;

/// <summary>Builds the events a domain service would publish for one case.</summary>
internal sealed class CaseScript(string domain, string[] path, string number, string category = "隐患", string title = "疏散通道堵塞")
{
    public Guid CaseId { get; } = Guid.NewGuid();

    public List<IntegrationEvent> Events { get; } = [];

    T Stamp<T>(T e, string at) where T : CaseEvent => e with
    {
        CaseId = CaseId,
        CaseNumber = number,
        Domain = domain,
        GridId = path[^1],
        GridPath = path,
        OccurredAt = DateTimeOffset.Parse(at),
    };

    public CaseScript Reported(string at) => Add(Stamp(new CaseReported { Category = category, Severity = "general", Title = title, Source = "patrol", ReceivedAt = DateTimeOffset.Parse(at) }, at));

    public CaseScript Accepted(string at, string handleBy) => Add(Stamp(new CaseAccepted { AcceptedBy = "chief", HandleBy = DateTimeOffset.Parse(handleBy) }, at));

    public CaseScript Dispatched(string at, string department, string handleBy) =>
        Add(Stamp(new CaseDispatched { Assignee = "worker", Department = department, HandleBy = DateTimeOffset.Parse(handleBy) }, at));

    public CaseScript Handled(string at) => Add(Stamp(new CaseHandled { HandledBy = "worker", Result = "done" }, at));

    public CaseScript Reopened(string at, int count = 1) => Add(Stamp(new CaseReopened { Reason = "复查未通过", ReopenCount = count }, at));

    public CaseScript Verified(string at) => Add(Stamp(new CaseVerified { VerifiedBy = "supervisor" }, at));

    public CaseScript Closed(string at, bool onTime, string reportedAt) =>
        Add(Stamp(new CaseClosed { ClosedBy = "chief", OnTime = onTime, ReportedAt = DateTimeOffset.Parse(reportedAt) }, at));

    public CaseScript Breached(string at, string step = "handle") =>
        Add(Stamp(new CaseDeadlineBreached { Step = step, Deadline = DateTimeOffset.Parse(at), Responsible = "worker", ResponsibleGridId = path[^1] }, at));

    public CaseScript Escalated(string at, string reason, string to) =>
        Add(Stamp(new CaseEscalated { FromGridId = path[^1], ToGridId = to, Reason = reason }, at));

    CaseScript Add(IntegrationEvent e)
    {
        Events.Add(e);
        return this;
    }
}
