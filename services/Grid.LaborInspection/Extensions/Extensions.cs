using System.Text.Json.Serialization;
using Grid.Casework.Infrastructure;
using Grid.Contracts.Events;
using Grid.LaborInspection.Domain;
using Grid.LaborInspection.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Grid.LaborInspection.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "labordb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var options = builder.Configuration.GetSection(LaborOptions.Section).Get<LaborOptions>() ?? new LaborOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new RiskRating(options.Risk));
        builder.Services.AddSingleton(options.Calendar.Build());
        builder.Services.AddSingleton(sp => new ComplaintClock(options.Complaints, sp.GetRequiredService<WorkingCalendar>()));
        builder.Services.AddSingleton<EmployerRater>();
        builder.Services.AddSingleton(new InspectionPlan(options.Risk));
        builder.Services.AddScoped<InspectionDesk>();
        builder.Services.AddScoped<LaborStatistics>();
        builder.Services.AddSingleton<GridPaths>();
        builder.Services.AddScoped<EmployerImporter>();
        builder.Services.AddScoped<ComplaintDesk>();

        // The service's one pool (AddGridDataSource, registered with Grid.Casework), not a second one of EF Core's.
        builder.Services.AddDbContext<LaborDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()));

        // Labor's schema before Casework's hosted services start using the database.
        builder.Services.AddDomainSchema<LaborDbContext>("labor", "employers");

        // Complaints are Casework cases of domain labor; grids come from the organization service through Casework's directory.
        builder.AddCasework(Domains.Labor, o =>
        {
            foreach (var (step, roles) in LaborCaseRoles.Defaults)
            {
                o.Roles.TryAdd(step, roles);
            }

            // The law's clock runs in working days (ComplaintDeadlines); Casework's hour-based timers for complaints are
            // only a backstop, set past the longest the working days can stretch over a holiday week.
            o.Deadlines.Insert(0, new Grid.Casework.Domain.DeadlineRule
            {
                Category = ComplaintDesk.Category,
                AcceptWithin = TimeSpan.FromDays(options.Complaints.AcceptWithinWorkingDays * 2 + 7),
                HandleWithin = TimeSpan.FromDays((options.Complaints.FinishWithinWorkingDays + options.Complaints.ExtensionWorkingDays) * 2),
            });
        });
        builder.Services.AddCaseworkHooks<LaborCaseHooks>();
        builder.Services.AddSingleton<ComplaintDeadlines>();
        builder.Services.AddHostedService<ComplaintDeadlineScanner>();

        // Demo data goes through the complaint desk, so it starts after Casework's schema.
        builder.Services.AddDemoData<LaborDemoData>();
    }
}
