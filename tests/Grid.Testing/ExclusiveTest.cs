namespace Grid.Testing;

/// <summary>
/// A gate across test processes for the tests that crash brokers and services under load (a burst across a
/// broker restart, a command centre killed mid-backlog). The test projects run at once on two cores; with two such
/// tests overlapping, the restarted broker's consumer was not back within the test's three minutes in two full runs,
/// while each passed alone. That exposed a real fault (a bus restart that could not bring consumers back, now
/// handled in Grid.Casework's BusRestarter and ConsumerWatchdog); the recovery it now takes on a saturated host
/// (replacing the process) can still take minutes, so the lock stays: an exclusive lock on one file (flock on Linux)
/// keeps them one at a time.
/// </summary>
public static class ExclusiveTest
{
    private static readonly string LockFile = Path.Combine(Path.GetTempPath(), "grid-exclusive-tests.lock");

    /// <summary>Waits until no other such test runs, in any process; dispose to let the next one in.</summary>
    public static async Task<IDisposable> AcquireAsync(TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(15));
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(500);
            }
        }
    }
}
