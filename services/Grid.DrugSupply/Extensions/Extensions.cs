namespace Grid.DrugSupply.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "drugsdb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
    }
}
