namespace Grid.LaborInspection.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "labordb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
    }
}
