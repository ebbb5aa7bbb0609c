namespace Grid.CommandCenter.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "commanddb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
    }
}
