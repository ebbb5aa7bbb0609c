namespace Grid.Organization.Domain;

/// <summary>
/// A request broke a rule (unknown parent, cycle, duplicate code ...). Thrown inside the write's
/// transaction so nothing is written; the API turns it into a problem naming the field.
/// </summary>
public sealed class OrgRuleException(int status, string field, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Field { get; } = field;

    public static OrgRuleException Invalid(string field, string message) => new(400, field, message);

    public static OrgRuleException Conflict(string field, string message) => new(409, field, message);

    public static OrgRuleException NotFound(string field, string message) => new(404, field, message);
}
