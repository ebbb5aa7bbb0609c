namespace Grid.FireSafety.Apis;

/// <summary>Collects field errors for one ValidationProblem answer.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public FieldErrors Require(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }

        return this;
    }

    public FieldErrors Max(string field, string? value, int maxLength)
    {
        if (value is { } v && v.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }

        return this;
    }

    public IResult Problem() => TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}
