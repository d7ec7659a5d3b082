using System.Diagnostics;
using System.Net;
using OAuthRelay.State;

namespace OAuthRelay.Bench;

/// <summary>A server in a child process of this executable (so its memory and CPU are its own); stops when its input closes.</summary>
internal sealed class Child : IDisposable
{
    private readonly Process _process;

    private Child(Process process, IPEndPoint[] endPoints)
    {
        _process = process;
        EndPoints = endPoints;
    }

    public int Pid => _process.Id;

    /// <summary>What the child printed after READY: the endpoints it listens on.</summary>
    public IPEndPoint[] EndPoints { get; }

    public static Child Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!, ["serve", .. arguments]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        // Server GC, as the relay ships (Microsoft.NET.Sdk.Web's default); the driver keeps the workstation GC.
        info.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(info)!;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith("READY ")) return new Child(process, line.Split(' ')[1..].Select(IPEndPoint.Parse).ToArray());
        }

        throw new InvalidOperationException($"the {arguments[0]} server did not start");
    }

    /// <summary>Asks the child for its GC's allocated-bytes counter.</summary>
    public long AllocatedBytes()
    {
        _process.StandardInput.WriteLine("alloc");
        return long.Parse(_process.StandardOutput.ReadLine()!);
    }

    /// <summary>Asks the child relay how many commands it has sent to Redis.</summary>
    public long RedisRoundTrips()
    {
        _process.StandardInput.WriteLine("redis");
        return long.Parse(_process.StandardOutput.ReadLine()!);
    }

    /// <summary>
    /// Serves until standard input closes; answers "alloc" with the allocated-bytes counter, and "redis" with the
    /// relay's Redis round trips (0 without shared state).
    /// </summary>
    public static async Task ServeUntilClosedAsync(SharedStateStatus? sharedState, params IPEndPoint[] endPoints)
    {
        Console.WriteLine("READY " + string.Join(' ', endPoints.Select(e => e.ToString())));
        while (await Console.In.ReadLineAsync() is { } query)
        {
            if (query == "alloc") Console.WriteLine(GC.GetTotalAllocatedBytes(precise: true));
            else if (query == "redis") Console.WriteLine(sharedState?.RoundTrips ?? 0);
            else break;
        }
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
