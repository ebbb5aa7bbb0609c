using System.Diagnostics;
using System.Globalization;

namespace Grid.Testing.Hosting;

/// <summary>
/// A test host or bench may be killed rather than exit (SIGKILL, a runner's timeout, a crash): a small shell process
/// outlives it and, once it is gone, ends every process whose environment names the launcher's state directory — each
/// server and service started here carries it in <see cref="Variable"/>, which its children inherit and which, unlike
/// a command line, a server cannot rewrite (redis-server retitles itself).
/// </summary>
public static class OwnerWatchdog
{
    /// <summary>The variable that marks a process (and its children) as started for a state directory.</summary>
    public const string Variable = "GRID_LAUNCHER_STATE";

    /// <summary>Marks a process about to start as belonging to <paramref name="stateDir"/>.</summary>
    public static void Mark(ProcessStartInfo psi, string stateDir) => psi.Environment[Variable] = stateDir;

    /// <summary>
    /// Watches <paramref name="ownerPid"/> (this process by default); when it is gone, SIGTERM then (after 10 s)
    /// SIGKILL to every process marked with <paramref name="stateDir"/>, and the directory removed if asked.
    /// </summary>
    public static void Start(string stateDir, bool removeDirectory, int? ownerPid = null)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Its own pipes (the runner must never wait on an inherited stdout) and its own session (a Ctrl-C to the
        // test's process group must not take the watchdog with it).
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("""
            exec </dev/null >>"$GRID_WATCH_DIR/watchdog.log" 2>&1
            echo "watching $GRID_WATCH_PID"
            while kill -0 "$GRID_WATCH_PID" 2>/dev/null; do sleep 1; done
            left() { grep -lzxsF "$GRID_WATCH_MARK" /proc/[0-9]*/environ | cut -d/ -f3; }
            v=$(left); echo "owner gone; ending:" $v; [ -n "$v" ] && kill -TERM $v 2>/dev/null
            i=0; while [ -n "$v" ] && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); v=$(left); done
            [ -n "$v" ] && kill -KILL $v 2>/dev/null
            [ "$GRID_WATCH_REMOVE" = 1 ] && rm -rf "$GRID_WATCH_DIR"
            exit 0
            """);
        start.Environment.Remove(Variable);
        start.Environment["GRID_WATCH_PID"] = (ownerPid ?? Environment.ProcessId).ToString(CultureInfo.InvariantCulture);
        start.Environment["GRID_WATCH_MARK"] = $"{Variable}={stateDir}";
        start.Environment["GRID_WATCH_DIR"] = stateDir;
        start.Environment["GRID_WATCH_REMOVE"] = removeDirectory ? "1" : "0";
        Process.Start(start)?.Dispose();
    }
}
