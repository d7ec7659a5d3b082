using System.Diagnostics;
using System.Net;
using OAuthRelay.Bench;

// Driver: starts the relay (null backend) and the baseline sink each in a child process, so that memory and CPU are
// the server's alone, then loads them from this process over loopback and prints a Markdown report.
if (args is ["serve", var what])
{
    await ServeAsync(what);
    return;
}

var small = LoadClient.Message(4 * 1024);
Console.WriteLine($"# OAuthRelay SMTP engine benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
Console.WriteLine();
Console.WriteLine("| scenario | server | msgs/s | ratio to baseline | p50 ms | p99 ms | server CPU % |");
Console.WriteLine("|---|---|---|---|---|---|---|");

using (var baseline = Child.Start("baseline"))
using (var relay = Child.Start("relay"))
{
    foreach (var (connections, perConnection) in new[] { (1, 3000), (50, 200) })
    {
        await LoadClient.RunAsync(baseline.Cleartext, false, connections, perConnection / 4, small); // warm-up
        await LoadClient.RunAsync(relay.Cleartext, false, connections, perConnection / 4, small);
        var b = await Measure(baseline, false, connections, perConnection, small);
        var r = await Measure(relay, false, connections, perConnection, small);
        Row($"{connections} conn, cleartext, 4 KB", "baseline sink", b.Result, 1, b.Cpu);
        Row($"{connections} conn, cleartext, 4 KB", "relay engine", r.Result, r.Result.PerSecond / b.Result.PerSecond, r.Cpu);
        var t = await Measure(relay, true, connections, perConnection, small);
        Row($"{connections} conn, STARTTLS, 4 KB", "relay engine", t.Result, t.Result.PerSecond / b.Result.PerSecond, t.Cpu);
    }

    Console.WriteLine();
    const int idle = 5000;
    var before = ProcessStats.ResidentBytes(relay.Pid);
    var sockets = await LoadClient.OpenIdleAsync(relay.Cleartext, idle);
    var with = ProcessStats.ResidentBytes(relay.Pid);
    Console.WriteLine($"Idle connections: relay RSS {Mb(before)} MB before, {Mb(with)} MB with {idle} idle connections open ({(with - before) / idle / 1024.0:F1} KB each).");
    foreach (var s in sockets) s.Dispose();

    // Allocation is the server's own (GC.GetTotalAllocatedBytes in the child), for a small and a large message.
    var large = LoadClient.Message(4 * 1024 * 1024);
    var perSmall = await AllocatedPerMessage(relay, small, 500);
    var perLarge = await AllocatedPerMessage(relay, large, 20);
    Console.WriteLine($"Server allocation per message: 4 KB message {perSmall / 1024.0:F1} KB, 4 MB message {perLarge / 1024.0:F1} KB (ratio {perLarge / perSmall:F2} for a 1024x larger message).");
}

return;

static async Task<double> AllocatedPerMessage(Child server, byte[] message, int count)
{
    await LoadClient.RunAsync(server.Cleartext, false, 1, count / 2, message);
    var before = server.AllocatedBytes();
    await LoadClient.RunAsync(server.Cleartext, false, 1, count, message);
    return (server.AllocatedBytes() - before) / (double)count;
}

static async Task<(LoadClient.Result Result, double Cpu)> Measure(Child server, bool tls, int connections, int perConnection, byte[] message)
{
    var cpuBefore = ProcessStats.CpuTime(server.Pid);
    var result = await LoadClient.RunAsync(tls ? server.StartTls! : server.Cleartext, tls, connections, perConnection, message);
    var cpu = (ProcessStats.CpuTime(server.Pid) - cpuBefore) / result.Elapsed * 100;
    return (result, cpu);
}

static void Row(string scenario, string server, LoadClient.Result r, double ratio, double cpu) =>
    Console.WriteLine($"| {scenario} | {server} | {r.PerSecond:F0} | {ratio:F2} | {r.Percentile(0.5):F2} | {r.Percentile(0.99):F2} | {cpu:F0} |");

static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1");

static async Task ServeAsync(string what)
{
    if (what == "baseline")
    {
        using var sink = new BaselineSink();
        Console.WriteLine($"READY {sink.EndPoint} -");
        await Console.In.ReadLineAsync();
        return;
    }

    var (app, cleartext, startTls) = await BenchServers.StartRelayAsync();
    Console.WriteLine($"READY {cleartext} {startTls}");
    while (await Console.In.ReadLineAsync() == "alloc") Console.WriteLine(GC.GetTotalAllocatedBytes(precise: true));
    await app.StopAsync();
}

/// <summary>A server in a child process of this executable; stops when its standard input closes.</summary>
internal sealed class Child : IDisposable
{
    private readonly Process _process;

    private Child(Process process, IPEndPoint cleartext, IPEndPoint? startTls)
    {
        _process = process;
        Cleartext = cleartext;
        StartTls = startTls;
    }

    public int Pid => _process.Id;

    public IPEndPoint Cleartext { get; }

    public IPEndPoint? StartTls { get; }

    public static Child Start(string what)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!, ["serve", what]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        var process = Process.Start(info)!;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (!line.StartsWith("READY ")) continue;
            var parts = line.Split(' ');
            return new Child(process, IPEndPoint.Parse(parts[1]), parts[2] == "-" ? null : IPEndPoint.Parse(parts[2]));
        }

        throw new InvalidOperationException($"the {what} server did not start");
    }

    public long AllocatedBytes()
    {
        _process.StandardInput.WriteLine("alloc");
        return long.Parse(_process.StandardOutput.ReadLine()!);
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
