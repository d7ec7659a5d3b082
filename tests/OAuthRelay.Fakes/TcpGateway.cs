using System.Net;
using System.Net.Sockets;

namespace OAuthRelay.Fakes;

/// <summary>
/// A TCP listener on 127.0.0.1 (port 0, kept across restarts) that forwards each connection to a server behind it, so
/// a test can take that server away from one client or all of them (<see cref="Stop"/>: listener closed, every
/// connection cut) and bring it back on the same port (<see cref="Start"/>).
/// </summary>
public sealed class TcpGateway : IDisposable
{
    private readonly Func<EndPoint> _target;
    private readonly Lock _gate = new();
    private readonly List<Socket> _connections = [];
    private Socket? _listener;

    public TcpGateway(Func<EndPoint> target)
    {
        _target = target;
        Start();
    }

    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    public void Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(EndPoint);
        listener.Listen(64);
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        lock (_gate) _listener = listener;
        _ = AcceptAsync(listener);
    }

    /// <summary>As if the server went away: nothing is accepted and every connection through the gateway is cut.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _listener?.Dispose();
            _listener = null;
            foreach (var connection in _connections) connection.Dispose();
            _connections.Clear();
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(_target().AddressFamily, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await server.ConnectAsync(_target());
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_gate)
            {
                if (_listener != listener)
                {
                    client.Dispose();
                    server.Dispose();
                    return;
                }

                _connections.AddRange([client, server]);
            }

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0) await to.SendAsync(buffer.AsMemory(0, read));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public void Dispose() => Stop();
}
