using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Grid service gets, as Aspire's ServiceDefaults template does it: telemetry, health,
/// service discovery, resilience, problem details, correlation ids and token validation.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string MetricsEndpointPath = "/metrics";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        builder.AddGridProblemDetails();
        builder.AddGridAuthentication();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WritesInFlight>();

        // ASP.NET Core's own request lines carry the query string, where a live feed or a download link may hold a
        // token (GridTokenEvents); the correlation middleware logs every request by path instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // Every statement's text (a demo load's batches run to 600 KB a line) and Polly's echo of each HTTP call the
        // client's own lines already show: noise that every log pipeline then carries. Failures still log.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        // Scopes carry the correlation id into every log line.
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });

        if (builder is WebApplicationBuilder web)
        {
            var limit = builder.Configuration.GetValue<long?>("Grid:MaxRequestBodyBytes") ?? 4 * 1024 * 1024;
            web.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = limit);
        }

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        // Request rate, errors and duration (the hosting meter) always; the per-request instruments of routing,
        // Kestrel and outgoing HttpClient calls cost several microseconds a request, so only with Grid:DetailedMetrics.
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("Microsoft.AspNetCore.Hosting").AddRuntimeInstrumentation().AddMeter("Grid.*").AddPrometheusExporter();
                if (builder.Configuration.GetValue<bool>("Grid:DetailedMetrics"))
                {
                    metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                }
            });

        // Spans cost on every request; record them only where something collects them (an OTLP endpoint),
        // unless Grid:Tracing says otherwise.
        var exporter = ExporterConfigured(builder.Configuration);
        if (TracingEnabled(builder.Configuration))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Grid.*")
                .AddSource("MassTransit")
                .AddAspNetCoreInstrumentation(t =>
                    t.Filter = ctx => !ctx.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !ctx.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());
        }

        if (exporter)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Whether spans are recorded: where an OTLP endpoint collects them, unless <c>Grid:Tracing</c> says otherwise.</summary>
    public static bool TracingEnabled(IConfiguration configuration) =>
        configuration.GetValue<bool?>("Grid:Tracing") ?? ExporterConfigured(configuration);

    private static bool ExporterConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// /health (ready: every dependency answers), /alive (the process runs), /metrics (Prometheus).
    /// These three are the only anonymous endpoints a service has unless it says otherwise.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseGridRequestPipeline();
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") })
            .AllowAnonymous();
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Order matters: errors become problem details, every request gets a correlation id, writes beyond what the
    /// service takes at once are shed before any work is spent on them, then auth.
    /// </summary>
    public static WebApplication UseGridRequestPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseMiddleware<LoadSheddingMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
