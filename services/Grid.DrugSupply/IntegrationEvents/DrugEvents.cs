using Grid.Contracts.Events;
using Grid.DrugSupply.Domain;

namespace Grid.DrugSupply.IntegrationEvents;

/// <summary>Drug supply's own integration events as its records make them; published through the outbox with the change.</summary>
internal static class DrugEvents
{
    public static SupplyPointFailedChecklist FailedChecklist(Inspection i, string gridId, DateTimeOffset at) => new()
    {
        OccurredAt = at,
        Domain = Domains.Drugs,
        PointId = i.PointId,
        InspectionId = i.Id,
        CaseId = i.CaseId ?? Guid.Empty,
        GridId = gridId,
        GridPath = i.GridPath,
        InspectionKind = i.Kind switch { InspectionKind.Daily => "daily", InspectionKind.Surprise => "surprise", _ => "gsp-follow-up" },
        InspectedOn = i.On,
        Failed = i.Failed,
    };

    public static DrugBatchRecalled Recalled(Sample s, Infrastructure.Confirmation c, Guid majorCaseId, IReadOnlyList<string> grids, DateTimeOffset at) => new()
    {
        OccurredAt = at,
        Domain = Domains.Drugs,
        SampleId = s.Id,
        MajorCaseId = majorCaseId,
        Product = s.Product,
        BatchNumber = s.BatchNumber,
        Manufacturer = s.Manufacturer,
        Verdict = c.Verdict == LabVerdict.Fake ? "fake" : "substandard",
        PointIds = [.. c.Recalls.Select(r => r.PointId)],
        GridIds = grids,
    };

    public static DrugStaffDismissed Dismissed(NetworkStaff s, DateTimeOffset at) => new()
    {
        OccurredAt = at,
        Domain = Domains.Drugs,
        StaffId = s.Id,
        PersonId = s.PersonId,
        Kind = s.Kind == StaffKind.Coordinator ? "coordinator" : "informant",
        GridId = s.GridId,
        GridPath = s.GridPath,
        DismissedOn = s.DismissedOn!.Value,
    };
}
