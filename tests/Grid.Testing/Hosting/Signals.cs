using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Grid.Testing.Hosting;

/// <summary>POSIX signals, for orderly stops (SIGTERM, SIGINT) that Process.Kill cannot send.</summary>
internal static class Signals
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);

    public static void Send(int pid, int signal) => _ = Kill(pid, signal);
}

/// <summary>Starts a server process as a <see cref="Grid.LocalServers.ServerCommand"/> says, waits until it answers, stops it.</summary>
internal static class ServerProcess
{
    public static Process Start(Grid.LocalServers.ServerCommand command, string logPath, string stateDir)
    {
        Directory.CreateDirectory(command.WorkingDirectory);
        var psi = new ProcessStartInfo(command.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = command.WorkingDirectory,
        };
        foreach (var a in command.Args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in command.Environment)
        {
            psi.Environment[k] = v;
        }

        OwnerWatchdog.Mark(psi, stateDir);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{command.FileName} did not start");
        LogPipe.Attach(process, logPath);
        return process;
    }

    public static async Task WaitReadyAsync(Process process, Func<Task<bool>> ready, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited with {process.ExitCode}");
            }

            if (await ready())
            {
                return;
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"{process.StartInfo.FileName} did not answer within {timeout.TotalSeconds:0} s");
    }

    public static async Task StopAsync(Process? process, int signal, TimeSpan grace)
    {
        if (process is not { HasExited: false })
        {
            return;
        }

        Signals.Send(process.Id, signal);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>Copies a child process's output into its log file, line by line.</summary>
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
