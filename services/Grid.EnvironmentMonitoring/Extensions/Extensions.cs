namespace Grid.EnvironmentMonitoring.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "environmentdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
    }
}
