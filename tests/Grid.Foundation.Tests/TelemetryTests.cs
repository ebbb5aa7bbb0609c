using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Grid.Foundation.Tests;

/// <summary>Spans are recorded only where something collects them; metrics always.</summary>
public class TelemetryTests
{
    private static IHost Build(string application, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", ApplicationName = application });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ConfigureOpenTelemetry();
        return builder.Build();
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("http://127.0.0.1:4317", null, true)]
    [InlineData(null, "true", true)]
    [InlineData("http://127.0.0.1:4317", "false", false)]
    public void Tracing_follows_the_exporter_unless_Grid_Tracing_says_otherwise(string? otlp, string? tracing, bool traced)
    {
        // The service's own activity source (named after the application): listened to only when traced. A name of
        // this test alone, so other hosts in the process cannot be the listener.
        var application = "TelemetryTest" + Guid.NewGuid().ToString("N");
        using var host = Build(application, new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp, ["Grid:Tracing"] = tracing });
        _ = host.Services.GetService<TracerProvider>(); // providers start when first resolved
        using var source = new ActivitySource(application);
        Assert.Equal(traced, source.HasListeners());
        Assert.NotNull(host.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }
}
