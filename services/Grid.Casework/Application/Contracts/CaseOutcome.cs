using Grid.Casework.Domain;

namespace Grid.Casework.Application;

/// <summary>What a case operation came to; the API turns it into a response.</summary>
public sealed record CaseOutcome(int Status, Case? Case = null, string? Title = null, string? Detail = null, Dictionary<string, string[]>? Errors = null, object? Extra = null)
{
    public static CaseOutcome Ok(Case c, int status = 200) => new(status, c);

    public static CaseOutcome NotFound(string what = "case") => new(404, Title: "Not found", Detail: $"No such {what}.");

    public static CaseOutcome Forbidden(string why) => new(403, Title: "Forbidden", Detail: why);

    public static CaseOutcome Conflict(string why, object? extra = null) => new(409, Title: "Conflict", Detail: why, Extra: extra);

    public static CaseOutcome Invalid(string field, string why) => new(400, Errors: new() { [field] = [why] });

    public static CaseOutcome Invalid(Dictionary<string, string[]> errors) => new(400, Errors: errors);

    /// <summary>An Idempotency-Key sent before with another report (IETF Idempotency-Key draft: 422).</summary>
    public static CaseOutcome KeyReused(string field) => new(422, Title: "Idempotency-Key reused", Detail: "This key was first sent with another report; send a new key for a new report.",
        Errors: new() { [field] = ["was first used with another request body"] });
}
