using System.Text.Json.Serialization;
using Grid.CadreSupervision.Domain;
using Grid.CadreSupervision.Infrastructure;
using Grid.CadreSupervision.IntegrationEvents;
using Grid.Casework.Infrastructure;
using Grid.Casework.Messaging;
using Grid.Contracts.Events;
using Grid.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Grid.CadreSupervision.Extensions;

internal static class Extensions
{
    public const string DatabaseName = "cadredb";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddGridDependencyHealthChecks(DatabaseName);
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var options = builder.Configuration.GetSection(CadreOptions.Section).Get<CadreOptions>() ?? new CadreOptions();
        var severities = new Grid.Casework.CaseworkOptions().Severities;
        if (options.Warnings.Check().Concat(options.Evaluation.Check()).Concat(options.Reports.Check(severities)).ToList() is { Count: > 0 } wrong)
        {
            throw new InvalidOperationException(string.Join("; ", wrong));
        }

        builder.Services.AddSingleton(options);
        // The service's one pool (AddGridDataSource, registered with Grid.Casework), not a second one of EF Core's.
        builder.Services.AddDbContext<CadreDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()));

        // The file's schema before Casework's hosted services start using the database.
        builder.Services.AddDomainSchema<CadreDbContext>("cadre", "cadres");

        // Residents' reports are Casework cases of domain cadre (resident sealed, audit chain); every domain's missed
        // deadlines, late closures, reopens and reports for duty arrive on the accountability queue.
        builder.AddCasework(Domains.Cadre, o =>
        {
            foreach (var (step, roles) in CadreCaseRoles.Defaults)
            {
                o.Roles.TryAdd(step, roles);
            }

            o.ConfigureMessaging = m => m
                .AddConsumer<DeadlineBreachedConsumer>(CaseworkTopology.CadreAccountabilityQueue)
                .AddConsumer<CaseClosedLateConsumer>(CaseworkTopology.CadreAccountabilityQueue)
                .AddConsumer<CaseReopenedConsumer>(CaseworkTopology.CadreAccountabilityQueue)
                .AddConsumer<SummonsAnsweredLateConsumer>(CaseworkTopology.CadreAccountabilityQueue);
        });
        builder.Services.AddCaseworkHooks<CadreCaseHooks>();
        builder.Services.AddSingleton<AccountabilityLedger>();
        builder.Services.AddSingleton<MonthlyDeadlines>();
        builder.Services.AddHostedService<MonthlyDeadlineScanner>();
        builder.Services.AddDemoData<CadreDemoData>();
    }
}
