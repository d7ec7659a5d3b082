using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace OAuthRelay.Fakes;

/// <summary>
/// A real Redis-protocol server for tests and the benchmark: Microsoft Garnet in this process, with Lua, listening on
/// a Unix socket in a temporary folder, reached through <see cref="TcpGateway"/>s on 127.0.0.1 (port 0). Each relay
/// can get a gateway of its own, so a test can cut one relay off (as if its process died) or all of them (Redis down).
/// </summary>
public sealed class LoopbackRedis : IAsyncDisposable
{
    private readonly GarnetServer _server;
    private readonly string _folder;
    private readonly List<TcpGateway> _gateways = [];
    private ConnectionMultiplexer? _inspector;

    private LoopbackRedis(GarnetServer server, string folder)
    {
        _server = server;
        _folder = folder;
    }

    private UnixDomainSocketEndPoint Socket => new(Path.Combine(_folder, "garnet.sock"));

    public static LoopbackRedis Start()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-redis-").FullName;
        // Its TCP listener takes a free port on loopback that nobody uses; clients come in over the Unix socket. Scripts
        // run as transactions: Garnet's default runs them without isolating them from other clients, unlike Redis.
        var server = new GarnetServer(["--bind", "127.0.0.1", "--port", "0", "--unixsocket", Path.Combine(folder, "garnet.sock"), "--lua", "--lua-transaction-mode",
            "--memory", "32m", "--index", "1m", "--page", "1m", "-q"]);
        server.Start();
        return new LoopbackRedis(server, folder);
    }

    /// <summary>A new gateway; its StackExchange.Redis connection string is <c>127.0.0.1:port</c>.</summary>
    public TcpGateway OpenGateway()
    {
        var gateway = new TcpGateway(() => Socket);
        lock (_gateways) _gateways.Add(gateway);
        return gateway;
    }

    /// <summary>Redis goes away for every client.</summary>
    public void Stop()
    {
        lock (_gateways) foreach (var gateway in _gateways) gateway.Stop();
    }

    /// <summary>Redis is back, on the same ports, with what it held.</summary>
    public void Restart()
    {
        lock (_gateways) foreach (var gateway in _gateways) gateway.Start();
    }

    /// <summary>A connection of the test's own, straight to the socket, to look at what the relays stored.</summary>
    public async Task<IDatabase> InspectAsync()
    {
        _inspector ??= await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Socket } });
        return _inspector.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        if (_inspector is not null) await _inspector.DisposeAsync();
        lock (_gateways) foreach (var gateway in _gateways) gateway.Dispose();
        _server.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
