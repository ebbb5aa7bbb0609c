namespace Grid.CadreSupervision.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "cadredb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
    }
}
