using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Grid.AppHost.Hosting;

/// <summary>POSIX signals, for orderly stops (SIGTERM) that Process.Kill cannot send.</summary>
internal static class Signals
{
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    /// <summary>
    /// Kills every process named <paramref name="name"/> whose environment holds <paramref name="marker"/>
    /// (daemons that detach from their parent, like Erlang's epmd, can only be found that way).
    /// </summary>
    public static void KillByEnvironment(string name, string marker)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == name
                    && File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(marker))
                {
                    KillTree(pid);
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    public static void KillTree(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // already gone
        }
        catch (InvalidOperationException)
        {
        }
    }
}

/// <summary>Copies a child process's output into its log file, line by line.</summary>
internal static class LogPipe
{
    public static void Attach(Process process, string logPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var writer = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            AutoFlush = true,
        };
        var gate = new object();
        var closed = false;
        void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                if (!closed)
                {
                    writer.WriteLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            // Let the last lines drain before the writer goes.
            Task.Delay(500).ContinueWith(_ =>
            {
                lock (gate)
                {
                    closed = true;
                    writer.Dispose();
                }
            });
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }
}
