namespace Grid.AppHost.Hosting;

/// <summary>
/// Ends the run when the process that started the AppHost is gone (a test run killed outright), so that the
/// servers and services it started are stopped in order rather than left behind.
/// </summary>
public static class ParentWatch
{
    public static void Start(int parentPid, CancellationTokenSource stop)
    {
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!IsAlive(parentPid))
                {
                    Console.Error.WriteLine($"parent process {parentPid} is gone; stopping");
                    await stop.CancelAsync();
                    return;
                }

                await Task.Delay(1000, CancellationToken.None);
            }
        });
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
