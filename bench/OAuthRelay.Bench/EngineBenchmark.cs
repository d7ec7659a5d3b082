
namespace OAuthRelay.Bench;

/// <summary>
/// Issue 2: the SMTP engine with a null backend (child process) against a naive baseline sink (child process), loaded
/// from this process: throughput, latency, CPU, idle-connection memory, allocation per message.
/// </summary>
internal static class EngineBenchmark
{
    public static async Task RunAsync()
    {
        var small = LoadClient.Message(4 * 1024);
        Console.WriteLine($"## SMTP engine ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        Console.WriteLine("| scenario | server | msgs/s | ratio to baseline | p50 ms | p99 ms | server CPU % |");
        Console.WriteLine("|---|---|---|---|---|---|---|");

        using var baseline = Child.Start("baseline");
        using var relay = Child.Start("engine");
        foreach (var (connections, perConnection) in new[] { (1, 3000), (50, 200) })
        {
            await LoadClient.RunAsync(baseline.EndPoints[0], false, connections, perConnection / 4, small); // warm-up
            await LoadClient.RunAsync(relay.EndPoints[0], false, connections, perConnection / 4, small);
            var b = await MeasureAsync(baseline, 0, false, connections, perConnection, small);
            var r = await MeasureAsync(relay, 0, false, connections, perConnection, small);
            Row($"{connections} conn, cleartext, 4 KB", "baseline sink", b.Result, 1, b.Cpu);
            Row($"{connections} conn, cleartext, 4 KB", "relay engine", r.Result, r.Result.PerSecond / b.Result.PerSecond, r.Cpu);
            var t = await MeasureAsync(relay, 1, true, connections, perConnection, small);
            Row($"{connections} conn, STARTTLS, 4 KB", "relay engine", t.Result, t.Result.PerSecond / b.Result.PerSecond, t.Cpu);
        }

        Console.WriteLine();
        const int idle = 5000;
        var before = ProcessStats.ResidentBytes(relay.Pid);
        var sockets = await LoadClient.OpenIdleAsync(relay.EndPoints[0], idle);
        var with = ProcessStats.ResidentBytes(relay.Pid);
        Console.WriteLine($"Idle connections: relay RSS {Mb(before)} MB before, {Mb(with)} MB with {idle} idle connections open ({(with - before) / idle / 1024.0:F1} KB each).");
        foreach (var socket in sockets) socket.Dispose();

        // Allocation is the server's own (GC.GetTotalAllocatedBytes in the child), for a small and a large message.
        var large = LoadClient.Message(4 * 1024 * 1024);
        var perSmall = await AllocatedPerMessageAsync(relay, small, 500);
        var perLarge = await AllocatedPerMessageAsync(relay, large, 20);
        Console.WriteLine($"Server allocation per message: 4 KB message {perSmall / 1024.0:F1} KB, 4 MB message {perLarge / 1024.0:F1} KB (ratio {perLarge / perSmall:F2} for a 1024x larger message).");
        Console.WriteLine();
    }

    private static async Task<double> AllocatedPerMessageAsync(Child server, byte[] message, int count)
    {
        await LoadClient.RunAsync(server.EndPoints[0], false, 1, count / 2, message);
        var before = server.AllocatedBytes();
        await LoadClient.RunAsync(server.EndPoints[0], false, 1, count, message);
        return (server.AllocatedBytes() - before) / (double)count;
    }

    private static async Task<(LoadClient.Result Result, double Cpu)> MeasureAsync(Child server, int endPoint, bool tls, int connections, int perConnection, byte[] message)
    {
        var cpuBefore = ProcessStats.CpuTime(server.Pid);
        var result = await LoadClient.RunAsync(server.EndPoints[endPoint], tls, connections, perConnection, message);
        var cpu = (ProcessStats.CpuTime(server.Pid) - cpuBefore) / result.Elapsed * 100;
        return (result, cpu);
    }

    private static void Row(string scenario, string server, LoadClient.Result r, double ratio, double cpu) =>
        Console.WriteLine($"| {scenario} | {server} | {r.PerSecond:F0} | {ratio:F2} | {r.Percentile(0.5):F2} | {r.Percentile(0.99):F2} | {cpu:F0} |");

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1");
}
