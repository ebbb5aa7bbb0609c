namespace Grid.Organization.Domain;

/// <summary>Field checks for staff, assignments and subjects; no I/O.</summary>
public static class StaffRules
{
    public static void CheckPerson(Dictionary<string, string[]> errors, string? name, string? phone, string prefix = "")
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 50)
        {
            errors[prefix + "name"] = ["A real name of 1–50 characters is required (实名)."];
        }

        if (string.IsNullOrWhiteSpace(phone) || phone.Length is < 5 or > 20 || !phone.All(c => char.IsAsciiDigit(c) || c is '-' or '+' or ' '))
        {
            errors[prefix + "phone"] = ["A phone number of 5–20 digits (with -, + or spaces) is required."];
        }
    }

    public static void CheckAssignment(Dictionary<string, string[]> errors, string? role, string? domain, DateTime? from, DateTime? to, string prefix = "")
    {
        if (role is null || !StaffRoles.IsKnown(role))
        {
            errors[prefix + "role"] = [$"Unknown role '{role}'; one of the role catalog (GET /api/org/v1/roles): {string.Join(", ", StaffRoles.Chinese.Keys)}."];
        }

        if (domain is null || !Hierarchies.IsKnown(domain))
        {
            errors[prefix + "domain"] = ["One of fire, environment, labor, drugs, cadre, comprehensive."];
        }

        if (from is not null && to is not null && to <= from)
        {
            errors[prefix + "validTo"] = ["Must be later than validFrom."];
        }
    }

    public static void CheckSubject(Dictionary<string, string[]> errors, string? creditCode, string? name, string? kind, string? category, string? domain, double? lon, double? lat, string prefix = "")
    {
        if (!string.IsNullOrEmpty(creditCode) && !CreditCode.IsValid(creditCode))
        {
            errors[prefix + "creditCode"] = ["Not a valid 18-character unified social credit code (统一社会信用代码)."];
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            errors[prefix + "name"] = ["A name of 1–200 characters is required."];
        }

        if (kind is null || !SubjectKinds.All.Contains(kind))
        {
            errors[prefix + "kind"] = ["One of enterprise, unit, place, building."];
        }

        if (string.IsNullOrWhiteSpace(category) || category.Length > 100)
        {
            errors[prefix + "category"] = ["A category of 1–100 characters is required."];
        }

        if (domain is null || !Hierarchies.IsKnown(domain))
        {
            errors[prefix + "domain"] = ["One of fire, environment, labor, drugs, cadre, comprehensive."];
        }

        if ((lon is null) != (lat is null))
        {
            errors[prefix + (lon is null ? "longitude" : "latitude")] = ["Longitude and latitude go together."];
        }

        if (lon is < -180 or > 180 || lon is double.NaN)
        {
            errors[prefix + "longitude"] = ["Between -180 and 180."];
        }

        if (lat is < -90 or > 90 || lat is double.NaN)
        {
            errors[prefix + "latitude"] = ["Between -90 and 90."];
        }
    }
}
