using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one place a Grid service's MassTransit bus is configured: RabbitMQ from an AMQP URI (Aspire's
/// <c>ConnectionStrings:messaging</c>), publisher confirms, heartbeats, and no usage reporting to MassTransit's
/// vendor — a government deployment makes no call outside itself. Grid.Messaging starts it once the broker answers
/// (its BusStarter), not MassTransit with the host.
/// </summary>
public static class GridBus
{
    public static IServiceCollection AddGridBus(
        this IServiceCollection services,
        string amqp,
        Action<IBusRegistrationConfigurator>? register,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configure)
    {
        services.AddMassTransit(x =>
        {
            // MassTransit 8.x posts usage telemetry to its vendor when the bus starts unless told not to.
            x.DisableUsageTelemetry();
            register?.Invoke(x);
            x.UsingRabbitMq((ctx, cfg) =>
            {
                var uri = new Uri(amqp);
                var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
                var user = uri.UserInfo.Split(':', 2);
                cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port), vhost.Length == 0 ? "/" : vhost, h =>
                {
                    h.Username(user.Length > 0 && user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : "guest");
                    h.Password(user.Length > 1 ? Uri.UnescapeDataString(user[1]) : "guest");

                    // A message counts as sent only once the broker confirmed it; a vanished peer is noticed within two beats.
                    h.PublisherConfirmation = true;
                    h.Heartbeat(TimeSpan.FromSeconds(10));
                });
                configure(ctx, cfg);
            });
        });
        return services;
    }
}
