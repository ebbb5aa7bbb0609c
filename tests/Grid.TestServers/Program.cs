using System.Runtime.InteropServices;
using Grid.Testing;
using Grid.Testing.Hosting;

// Usage: Grid.TestServers --state DIR --env-file FILE   PostgreSQL, RabbitMQ and Redis on free ports, tuned for tests,
// until SIGTERM; FILE gets the GRID_TEST_* variables once all three answer.
string Arg(string name) => args[Array.IndexOf(args, name) + 1];
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

var state = Directory.CreateDirectory(Arg("--state")).FullName;
var app = await GridInfrastructure.StartOwnAsync(state);
var pg = app.Resources.OfType<LocalPostgres>().Single();
var mq = app.Resources.OfType<LocalRabbitMq>().Single();
var redis = app.Resources.OfType<LocalRedis>().Single();
await File.WriteAllTextAsync(Arg("--env-file"), $"""
    GRID_TEST_POSTGRES_PORT={pg.Port}
    GRID_TEST_RABBITMQ_PORT={mq.Port}
    GRID_TEST_RABBITMQ_MANAGEMENT_PORT={mq.ManagementPort}
    GRID_TEST_REDIS_PORT={redis.Port}

    """);
await app.WatchAsync(stop.Token);
