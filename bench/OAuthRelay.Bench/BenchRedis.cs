using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OAuthRelay.Fakes;

namespace OAuthRelay.Bench;

/// <summary>
/// The benchmark's Redis: Debian's redis-server in a process of its own on 127.0.0.1 when it is installed, as a fleet
/// runs it; else Microsoft Garnet in the driver process behind a loopback gateway a relay (the tests' Redis), whose
/// Lua scripts and gateway then take CPU from the driver's fakes.
/// </summary>
internal sealed class BenchRedis : IAsyncDisposable
{
    private readonly Process? _server;
    private readonly int _port;
    private readonly LoopbackRedis? _garnet;

    private BenchRedis(Process server, int port)
    {
        _server = server;
        _port = port;
        Name = $"redis-server on 127.0.0.1:{port}, a process of its own";
    }

    private BenchRedis(LoopbackRedis garnet)
    {
        _garnet = garnet;
        Name = "Microsoft Garnet in the driver process, through a loopback gateway";
    }

    public string Name { get; }

    public static BenchRedis Start()
    {
        const string binary = "/usr/bin/redis-server";
        if (!File.Exists(binary)) return new BenchRedis(LoopbackRedis.Start());
        var port = FreeLoopbackPort();
        var server = Process.Start(new ProcessStartInfo(binary, ["--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no", "--logfile", ""])
            { RedirectStandardOutput = true })!;
        while (server.StandardOutput.ReadLine() is { } line)
        {
            if (line.Contains("Ready to accept connections")) return new BenchRedis(server, port);
        }

        throw new InvalidOperationException("redis-server did not start");
    }

    /// <summary>CPU time of the redis-server process; zero for Garnet, whose CPU is the driver's.</summary>
    public TimeSpan CpuTime() => _server is null ? TimeSpan.Zero : ProcessStats.CpuTime(_server.Id);

    /// <summary>The StackExchange.Redis connection string for one more relay.</summary>
    public string ConnectionString() => $"127.0.0.1:{(_garnet is null ? _port : _garnet.OpenGateway().EndPoint.Port)}";

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_garnet is not null) await _garnet.DisposeAsync();
        if (_server is null) return;
        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
    }
}
