namespace Grid.Casework.Application;

/// <summary>
/// What a domain endpoint knows about the case step it asks Casework to take (fire's rectification notice, labor's
/// mediation record), handed to that domain's <see cref="ICaseworkHooks"/> so its rows are written inside the case's own
/// transaction. Flows with the async call; absent when a step comes through the generic case API.
/// </summary>
public static class CaseStep
{
    private static readonly AsyncLocal<object?> Ambient = new();

    /// <summary>The data of the step being taken, when it is of type <typeparamref name="T"/>.</summary>
    public static T? Data<T>() where T : class => Ambient.Value as T;

    /// <summary>Runs one Casework call with <paramref name="data"/> visible to the hooks.</summary>
    public static async Task<TResult> WithAsync<TResult>(object data, Func<Task<TResult>> call)
    {
        var previous = Ambient.Value;
        Ambient.Value = data;
        try
        {
            return await call();
        }
        finally
        {
            Ambient.Value = previous;
        }
    }
}
