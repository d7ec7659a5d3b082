using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OAuthRelay.Fakes;

namespace OAuthRelay.Bench;

/// <summary>
/// Issue 4: a legacy client sending through the relay (child process) to the fake Office 365 with STARTTLS and
/// XOAUTH2, against the same client sending straight to the fake Office 365, in one run.
/// </summary>
internal static class RelayBenchmark
{
    public static async Task RunAsync()
    {
        await using var entra = await FakeEntraId.StartAsync();
        await using var office = new FakeOffice365(entra);
        var caFile = Path.Combine(Path.GetTempPath(), $"oauthrelay-bench-ca-{Environment.ProcessId}.pem");
        await File.WriteAllTextAsync(caFile, office.CertificatePem);
        using var relay = Child.Start("relay", entra.BaseAddress.ToString(), BenchServers.EntraCaFile(entra, caFile), office.EndPoint.Port.ToString(), caFile, entra.IssueRefreshToken());
        var directToken = entra.IssueAccessToken();

        async Task<SmtpClient> ViaRelay()
        {
            var client = new SmtpClient();
            await client.ConnectAsync(await NoDelaySocketAsync(relay.EndPoints[0]), "127.0.0.1", relay.EndPoints[0].Port, SecureSocketOptions.None);
            await client.AuthenticateAsync(BenchServers.ClientUser, BenchServers.ClientPassword);
            return client;
        }

        async Task<SmtpClient> Direct()
        {
            var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
            await client.ConnectAsync(await NoDelaySocketAsync(office.EndPoint), "127.0.0.1", office.EndPoint.Port, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(new SaslMechanismOAuth2(FakeEntraId.UserName, directToken));
            return client;
        }

        var message = Message(4 * 1024);
        Console.WriteLine($"## Relay vs direct to the upstream ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        Console.WriteLine("| scenario | path | msgs/s | ratio relay/direct | p50 ms | p99 ms | relay CPU ms/msg |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, perMessageConnection, count) in new[] { ("new connection per message (JavaMail Transport.send)", true, 1000), ("one connection, many messages", false, 5000) })
        {
            await SendAsync(Direct, message, count / 2, perMessageConnection); // warm-up (JIT tiers), and the relay's pool fills
            await SendAsync(ViaRelay, message, count / 2, perMessageConnection);
            var direct = await SendAsync(Direct, message, count, perMessageConnection);
            var cpuBefore = ProcessStats.CpuTime(relay.Pid);
            var viaRelay = await SendAsync(ViaRelay, message, count, perMessageConnection);
            var cpuPerMessage = (ProcessStats.CpuTime(relay.Pid) - cpuBefore).TotalMilliseconds / count;
            Console.WriteLine($"| {name} | direct | {direct.PerSecond:F0} | 1.00 | {direct.P50:F2} | {direct.P99:F2} | |");
            Console.WriteLine($"| {name} | relay | {viaRelay.PerSecond:F0} | {viaRelay.PerSecond / direct.PerSecond:F2} | {viaRelay.P50:F2} | {viaRelay.P99:F2} | {cpuPerMessage:F2} |");
            Console.WriteLine($"| {name} | added by the relay | | | {viaRelay.P50 - direct.P50:F2} | {viaRelay.P99 - direct.P99:F2} | |");
        }

        Console.WriteLine();
        var large = Message(25 * 1024 * 1024);
        ProcessStats.ResetPeak(relay.Pid);
        var before = ProcessStats.ResidentBytes(relay.Pid);
        await SendAsync(ViaRelay, large, 1, perMessageConnection: true);
        var peak = ProcessStats.PeakResidentBytes(relay.Pid);
        Console.WriteLine($"Relaying a 25 MB message: relay RSS {EngineBenchmark.Mb(before)} MB before, peak {EngineBenchmark.Mb(peak)} MB during (growth {EngineBenchmark.Mb(peak - before)} MB; bar: under 32 MB).");
        File.Delete(caFile);
        File.Delete(caFile + ".entra.pem");
    }

    // Both paths' clients alike: without Nagle, so neither waits on delayed ACKs.
    internal static async Task<System.Net.Sockets.Socket> NoDelaySocketAsync(System.Net.IPEndPoint server)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        return socket;
    }

    internal sealed record Timing(int Messages, TimeSpan Elapsed, double[] LatenciesMs)
    {
        public double PerSecond => Messages / Elapsed.TotalSeconds;

        public double P50 => LatenciesMs[LatenciesMs.Length / 2];

        public double P99 => LatenciesMs[Math.Min(LatenciesMs.Length - 1, LatenciesMs.Length * 99 / 100)];
    }

    /// <summary>Sends <paramref name="count"/> messages one after another, each on its own connection or all on one.</summary>
    internal static async Task<Timing> SendAsync(Func<Task<SmtpClient>> connect, MimeMessage message, int count, bool perMessageConnection)
    {
        var latencies = new double[count];
        var clock = Stopwatch.StartNew();
        SmtpClient? shared = perMessageConnection ? null : await connect();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var client = shared ?? await connect();
            await client.SendAsync(message);
            if (shared is null)
            {
                await client.DisconnectAsync(true);
                client.Dispose();
            }

            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        if (shared is not null)
        {
            await shared.DisconnectAsync(true);
            shared.Dispose();
        }

        Array.Sort(latencies);
        return new Timing(count, clock.Elapsed, latencies);
    }

    internal static MimeMessage Message(int size)
    {
        var attachment = new byte[size * 3 / 4]; // base64 makes it about the size asked for
        new Random(7).NextBytes(attachment);
        return new MimeMessage([new MailboxAddress("Forms", FakeEntraId.UserName)], [MailboxAddress.Parse("someone@example.test")], "Benchmark",
            new Multipart("mixed")
            {
                new TextPart("plain") { Text = "Sent by the benchmark.\r\n" },
                new MimePart("application", "octet-stream") { Content = new MimeContent(new MemoryStream(attachment)), ContentTransferEncoding = ContentEncoding.Base64, FileName = "data.bin" },
            });
    }
}
