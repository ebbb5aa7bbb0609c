using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>The RFC 7807 answers a domain endpoint gives for bad input, a record outside the caller's scope and a conflict.</summary>
public static class GridProblems
{
    /// <summary>400 naming every field at fault.</summary>
    public static IResult Invalid(Dictionary<string, List<string>> errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    /// <summary>400 naming one field.</summary>
    public static IResult Invalid(string field, string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>404: no such record, or one outside the caller's scope (the two are not told apart).</summary>
    public static IResult NotFound(string what, object id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"No {what.ToLowerInvariant()} {id} in your scope.");

    public static IResult Conflict(string title, string detail) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);
}
