using Grid.LaborInspection.Domain;

namespace Grid.LaborInspection.Infrastructure;

/// <summary>Rates a file on today's date (the bureau's day) and stores the level and next inspection on it.</summary>
public sealed class EmployerRater(RiskRating rating, TimeProvider time)
{
    public RiskAssessment Rate(Employer e, IEnumerable<ComplianceRecord> history)
    {
        var a = rating.Rate(e, history, LaborDay.Today(time));
        e.Risk = a.Level;
        e.NextInspectionDue = a.NextInspectionDue;
        return a;
    }
}
