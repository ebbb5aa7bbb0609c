namespace Grid.CadreSupervision.Apis;

/// <summary>Collects field errors for one ValidationProblem answer.</summary>
internal sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message) => (_errors.TryGetValue(field, out var l) ? l : _errors[field] = []).Add(message);

    /// <summary>Adds an error when the text is blank or too long; returns it trimmed.</summary>
    public string Text(string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > max)
        {
            Add(field, $"is required, at most {max} characters");
            return "";
        }

        return value.Trim();
    }

    public IResult Problem() => GridProblems.Invalid(_errors);
}
