using Grid.Contracts.Events;

namespace Grid.DrugSupply.Apis;

/// <summary>The 药品两网 HTTP API under /api/drugs/v1.</summary>
public static class DrugSupplyApi
{
    /// <summary>The role, domain and grid checks of every drugs endpoint (<see cref="DomainAccess"/>).</summary>
    internal static readonly DomainAccess DrugsAccess = new(Domains.Drugs);

    public static RouteGroupBuilder MapDrugSupplyApi(this IEndpointRouteBuilder app)
    {
        // Public like every service's document, so the gateway's /openapi/<service>.json and /docs/ list it.
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/drugs/v1").WithTags("drugs");
        api.MapGet("/about", () => TypedResults.Ok(new { service = "drugs", name = "药品两网" }));
        api.MapSupplyPointsApi();
        api.MapInspectionsApi();
        api.MapCoverageApi();
        api.MapStorageApi();
        api.MapScreeningApi();
        api.MapReferralsApi();
        api.MapStaffApi();
        api.MapPlansApi();
        api.MapStatisticsApi();
        api.MapLedgersApi();
        return api;
    }

    /// <summary>Adds <paramref name="message"/> to the field's errors (for <see cref="GridProblems.Invalid(Dictionary{string, List{string}})"/>).</summary>
    internal static void Error(this Dictionary<string, List<string>> errors, string field, string message) =>
        (errors.TryGetValue(field, out var l) ? l : errors[field] = []).Add(message);

    /// <summary>
    /// The days [from, to] a report covers (China Standard Time): by default from the first day of the current quarter to
    /// today; <c>to</c> before <c>from</c> is an error naming <c>to</c>, a span past 400 days one naming <c>from</c>.
    /// </summary>
    internal static (DateOnly From, DateOnly To) Period(Dictionary<string, List<string>> errors, DateOnly? from, DateOnly? to, DateOnly today)
    {
        var t = to ?? today;
        var f = from ?? new DateOnly(t.Year, (((t.Month - 1) / 3) * 3) + 1, 1);
        if (t < f)
        {
            errors.Error("to", "must be on or after 'from'");
        }
        else if (t.DayNumber - f.DayNumber > 400)
        {
            errors.Error("from", "the period may span at most 400 days");
        }

        return (f, t);
    }

    /// <summary>A required text of at most <paramref name="max"/> characters.</summary>
    internal static void Text(this Dictionary<string, List<string>> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Error(field, "is required");
        }
        else if (value.Length > max)
        {
            errors.Error(field, $"must be at most {max} characters");
        }
    }
}
