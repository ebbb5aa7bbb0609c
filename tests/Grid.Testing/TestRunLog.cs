using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Grid.Testing;

/// <summary>
/// What a test run logged and which secrets it used, kept for the scan at the end of <c>./grid test</c>: with
/// GRID_TEST_LOG_DIR set, every in-process service host also writes its log lines (scopes included) to a file
/// there, processes started by tests keep their logs there, and every secret, key and reporter identity a test
/// hands to the code is listed in <c>secrets-used.tsv</c>, so the scan can look for it in every log line.
/// Without the variable (a project run alone) nothing is written.
/// </summary>
public static class TestRunLog
{
    private static readonly object Gate = new();

    /// <summary>The run's log directory, or null when the run keeps no logs.</summary>
    public static string? Directory { get; } = Environment.GetEnvironmentVariable("GRID_TEST_LOG_DIR") is { Length: > 0 } d
        ? System.IO.Directory.CreateDirectory(d).FullName
        : null;

    /// <summary>Notes a value that must never appear in a log line; <paramref name="kind"/> says what it is (it is what the scan reports).</summary>
    public static void SecretUsed(string kind, string? value)
    {
        if (Directory is null || string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        lock (Gate)
        {
            File.AppendAllText(Path.Combine(Directory, "secrets-used.tsv"), $"{kind}\t{value.ReplaceLineEndings(" ")}\n");
        }
    }

    /// <summary>Notes a setting's value when its name says it is a secret (a key, a secret, a password).</summary>
    public static void SettingUsed(string name, string? value)
    {
        var last = name.Split(':', '_').Last(p => p.Length > 0);
        if (value is { Length: >= 8 } && (last.EndsWith("Key", StringComparison.OrdinalIgnoreCase) || last.Contains("Secret", StringComparison.OrdinalIgnoreCase)
            || last.Contains("Password", StringComparison.OrdinalIgnoreCase)))
        {
            SecretUsed(name, value);
        }
    }

    /// <summary>A fresh directory under the run's log directory (for a process's state and logs), or null.</summary>
    public static string? NewDirectory(string name) =>
        Directory is null ? null : System.IO.Directory.CreateDirectory(Path.Combine(Directory, $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>Adds the run's log file to a host's logging (nothing when the run keeps no logs).</summary>
    public static ILoggingBuilder Capture(ILoggingBuilder logging, string name)
    {
        if (FileProvider(name) is { } file)
        {
            logging.AddProvider(file);
        }

        return logging;
    }

    /// <summary>A logger provider writing every line to a file of the run's log directory; null when the run keeps no logs.</summary>
    public static ILoggerProvider? FileProvider(string name) =>
        Directory is null ? null : new FileLoggerProvider(Path.Combine(Directory, $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}.log"));

    private sealed class FileLoggerProvider(string path) : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentDictionary<string, FileLogger> _loggers = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, c => new FileLogger(this, c));

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private void Write(string category, LogLevel level, string message, Exception? exception)
        {
            var line = new StringBuilder().Append(DateTime.UtcNow.ToString("O")).Append(' ').Append(level).Append(' ').Append(category).Append(": ");
            _scopes.ForEachScope((scope, sb) => sb.Append(scope).Append(" => "), line);
            line.Append(message.ReplaceLineEndings(" "));
            if (exception is not null)
            {
                line.Append(' ').Append(exception.ToString().ReplaceLineEndings(" "));
            }

            lock (this)
            {
                File.AppendAllText(path, line.Append('\n').ToString());
            }
        }

        private sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Write(category, logLevel, formatter(state, exception), exception);
        }
    }
}
