namespace Grid.LocalServers;

/// <summary>A server process to run in the foreground: what to execute, with which arguments and environment, where.</summary>
public sealed record ServerCommand(
    string FileName, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory);
