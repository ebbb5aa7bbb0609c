using System.Net;
using System.Net.Sockets;

namespace Grid.Casework.Tests;

/// <summary>
/// A TCP proxy to the broker that, while <see cref="Silent"/>, accepts connections and never answers. On a given port it
/// can be opened late, so that until then connections are refused, as while a broker boots.
/// </summary>
internal sealed class SilentProxy : IAsyncDisposable
{
    private TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private int _target;
    private int _swallowed;

    public volatile bool Silent = true;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Swallowed => Volatile.Read(ref _swallowed);

    public static Task<SilentProxy> StartAsync(int target, int port = 0, bool silent = true)
    {
        var proxy = new SilentProxy { _target = target, _listener = new TcpListener(IPAddress.Loopback, port), Silent = silent };
        proxy._listener.Start();
        _ = proxy.AcceptAsync();
        return Task.FromResult(proxy);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            if (Silent)
            {
                Interlocked.Increment(ref _swallowed);
                lock (_held)
                {
                    _held.Add(client);
                }

                continue;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var broker = new TcpClient())
        {
            await broker.ConnectAsync(IPAddress.Loopback, _target);
            var a = client.GetStream();
            var b = broker.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        return ValueTask.CompletedTask;
    }
}
