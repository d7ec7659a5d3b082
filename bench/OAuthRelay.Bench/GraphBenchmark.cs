using MailKit.Net.Smtp;
using OAuthRelay.Fakes;

namespace OAuthRelay.Bench;

/// <summary>
/// Issue 15: the same client through two relays (child processes), one whose account sends over SMTP to the fake
/// Office 365, one whose account sends through the fake Microsoft Graph, pacing off for both; then a 20 MB message
/// through Graph (draft and upload session) and the Graph relay's RSS growth.
/// </summary>
internal static class GraphBenchmark
{
    public static async Task RunAsync()
    {
        await using var entra = await FakeEntraId.StartAsync();
        await using var office = new FakeOffice365(entra);
        await using var graph = await FakeGraph.StartAsync(entra);
        var caFile = Path.Combine(Path.GetTempPath(), $"oauthrelay-bench-graph-ca-{Environment.ProcessId}.pem");
        await File.WriteAllTextAsync(caFile, office.CertificatePem);
        var entraCaFile = BenchServers.EntraCaFile(entra, caFile);
        // Pass-through, pacing off (1,000,000 a minute) for both transports, data in a new temporary folder, the default queue folder.
        Child StartRelay(params string[] transport) => Child.Start(["relay", entra.BaseAddress.ToString(), entraCaFile, office.EndPoint.Port.ToString(), caFile, entra.IssueRefreshToken(),
            "PassThrough", "1000000", Path.GetTempPath(), "", "Upstream:Graph:MessagesPerMinute=1000000", .. transport]);
        using var smtpRelay = StartRelay();
        using var graphRelay = StartRelay("Accounts:office:Transport=Graph", $"Accounts:office:GraphBaseUrl={graph.ApiBase}");

        Func<Task<SmtpClient>> Through(Child relay) => () => UpstreamFakes.ConnectAsync(relay);

        var message = MailKitSender.Message(4 * 1024);
        Console.WriteLine($"## Graph vs SMTP transport ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        Console.WriteLine("| transport | msgs/s (4 KB, one connection, pass-through, pacing off) | ratio to SMTP | p50 ms | p99 ms | relay CPU ms/msg |");
        Console.WriteLine("|---|---|---|---|---|---|");
        const int count = 1000;
        await MailKitSender.SendAsync(Through(smtpRelay), message, count / 2, perMessageConnection: false); // warm-up
        await MailKitSender.SendAsync(Through(graphRelay), message, count / 2, perMessageConnection: false);
        var cpu = ProcessStats.CpuTime(smtpRelay.Pid);
        var smtp = await MailKitSender.SendAsync(Through(smtpRelay), message, count, perMessageConnection: false);
        var smtpCpu = (ProcessStats.CpuTime(smtpRelay.Pid) - cpu).TotalMilliseconds / count;
        cpu = ProcessStats.CpuTime(graphRelay.Pid);
        var viaGraph = await MailKitSender.SendAsync(Through(graphRelay), message, count, perMessageConnection: false);
        var graphCpu = (ProcessStats.CpuTime(graphRelay.Pid) - cpu).TotalMilliseconds / count;
        Console.WriteLine($"| SMTP (XOAUTH2, pooled) | {smtp.PerSecond:F0} | 1.00 | {smtp.P50:F2} | {smtp.P99:F2} | {smtpCpu:F2} |");
        Console.WriteLine($"| Graph (sendMail, base64 MIME) | {viaGraph.PerSecond:F0} | {viaGraph.PerSecond / smtp.PerSecond:F2} (bar: 0.8) | {viaGraph.P50:F2} | {viaGraph.P99:F2} | {graphCpu:F2} |");
        Console.WriteLine();

        var large = MailKitSender.Message(20 * 1024 * 1024);
        ProcessStats.ResetPeak(graphRelay.Pid);
        var before = ProcessStats.ResidentBytes(graphRelay.Pid);
        await MailKitSender.SendAsync(Through(graphRelay), large, 1, perMessageConnection: true);
        var peak = ProcessStats.PeakResidentBytes(graphRelay.Pid);
        Console.WriteLine($"A 20 MB message through Graph (draft, upload session of {graph.Chunks.Count} chunks): relay RSS {EngineBenchmark.Mb(before)} MB before, peak {EngineBenchmark.Mb(peak)} MB during (growth {EngineBenchmark.Mb(peak - before)} MB; bar: under 48 MB).");
        File.Delete(caFile);
        File.Delete(entraCaFile);
    }
}
