namespace Grid.Organization.Identity;

/// <summary>
/// Where a generated password (the first administrator's, the demo accounts') is handed to the person who
/// started the service: a file only its owner may read (<c>Identity:CredentialsFile</c>; the AppHost puts it
/// under <c>.grid/</c>), never a log line that log collectors would ship. The log names the file.
/// </summary>
public static class InitialCredentials
{
    public static string PathFrom(IConfiguration configuration) =>
        configuration["Identity:CredentialsFile"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "grid", "organization-logins.txt");

    /// <summary>Appends <paramref name="line"/> to the credentials file (created 0600) and returns its path.</summary>
    public static async Task<string> WriteAsync(IConfiguration configuration, string line, CancellationToken ct)
    {
        var path = PathFrom(configuration);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteLineAsync($"{DateTimeOffset.UtcNow:u}  {line}".AsMemory(), ct);
        }

        if (!OperatingSystem.IsWindows())
        {
            // An existing file keeps its mode on append; make sure it is the owner's alone.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
