namespace Grid.Testing.Hosting;

public enum ResourceState
{
    Waiting,
    Starting,
    Running,
    Failed,
    Stopping,
    Stopped,
}

/// <summary>One thing the AppHost starts and stops: a server or a service process.</summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    public ResourceState State { get; protected set; } = ResourceState.Waiting;

    /// <summary>Where a person reaches it, shown in the resource table.</summary>
    public virtual string? Url => null;

    public string LogPath { get; internal set; } = Path.Combine(Path.GetTempPath(), $"{name}.log");

    public string DataRoot { get; internal set; } = Path.GetTempPath();

    /// <summary>The launcher's state directory; every process started for this resource is marked with it (<see cref="OwnerWatchdog"/>).</summary>
    public string StateDir { get; internal set; } = Path.GetTempPath();

    public string? Message { get; protected set; }

    internal async Task StartAsync(CancellationToken ct)
    {
        State = ResourceState.Starting;
        try
        {
            await OnStartAsync(ct);
            State = ResourceState.Running;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            State = ResourceState.Failed;
            Message = ex.Message;
            throw new ResourceFailedException(Name, ex.Message, LogTail(LogPath));
        }
    }

    internal async Task StopAsync()
    {
        if (State is ResourceState.Waiting or ResourceState.Stopped)
        {
            return;
        }

        var failed = State == ResourceState.Failed;
        State = ResourceState.Stopping;
        try
        {
            await OnStopAsync();
        }
        finally
        {
            // A failed resource stays marked failed, so the table says what went wrong.
            State = failed ? ResourceState.Failed : ResourceState.Stopped;
        }
    }

    /// <summary>True while the resource is alive; a dead one fails the run.</summary>
    public virtual bool IsAlive => State == ResourceState.Running;

    protected abstract Task OnStartAsync(CancellationToken ct);

    protected abstract Task OnStopAsync();

    internal void MarkFailed(string message)
    {
        State = ResourceState.Failed;
        Message = message;
    }

    public static string LogTail(string path, int lines = 30)
    {
        try
        {
            if (!File.Exists(path))
            {
                return "(no log)";
            }

            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(fs);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }
}

/// <summary>A resource that other resources reference by a connection string (Aspire's ConnectionStrings__name).</summary>
public interface IResourceWithConnectionString
{
    string ConnectionName { get; }

    string ConnectionString { get; }
}

/// <summary>A failed start: names the resource and carries the tail of its log, so nothing fails silently.</summary>
public sealed class ResourceFailedException(string resource, string reason, string logTail)
    : Exception($"resource '{resource}' failed: {reason}\n--- last lines of its log ---\n{logTail}")
{
    public string Resource { get; } = resource;

    public string LogTail { get; } = logTail;
}
