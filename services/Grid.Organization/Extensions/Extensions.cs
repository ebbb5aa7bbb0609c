namespace Grid.Organization.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "organizationdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
    }
}
