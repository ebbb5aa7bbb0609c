using System.Runtime.InteropServices;
using Grid.AppHost;
using Grid.AppHost.Hosting;

// Usage: Grid.AppHost [run] [--state DIR] [--free-ports] [--parent-pid PID] [--start-timeout S]   the whole suite, in the foreground
//        Grid.AppHost infra --state DIR --env-file F  only the servers, on free ports (the test run's)
var options = AppHostOptions.Parse(args);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
if (options.ParentPid is int parent)
{
    ParentWatch.Start(parent, stop);
}

var app = options.Mode == "infra"
    ? GridResources.Infrastructure(options)
    : GridResources.Suite(options);
return await AppHostRunner.RunAsync(app, options, stop.Token);
