namespace Grid.FireSafety.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "firedb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
    }
}
