using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using OAuthRelay.Fakes;

namespace OAuthRelay.Bench;

/// <summary>
/// Issue 5: fetching a 100 MB mailbox with MailKit's ImapClient through the relay's IMAP proxy (child process) vs
/// straight from the fake Office 365 IMAP server (implicit TLS, XOAUTH2), in one run, with nginx's stream proxy doing
/// the same TLS-terminating hop as a reference where it is installed; then the relay's memory with 1,000 idle spliced
/// sessions.
/// </summary>
internal static class MailboxBenchmark
{
    private const int MessageCount = 20;
    private const int MessageSize = 5 * 1024 * 1024;
    private const int IdleSessions = 1000;
    private const int WarmUpRounds = 3;
    private const int Rounds = 9;

    public static async Task RunAsync()
    {
        await using var entra = await FakeEntraId.StartAsync();
        await using var imap = new FakeOffice365Imap(entra);
        for (var i = 0; i < MessageCount; i++) imap.AddMessage(Message(i));
        var mailboxBytes = imap.Messages.Sum(m => (long)m.Length);
        var caFile = Path.Combine(Path.GetTempPath(), $"oauthrelay-bench-ca-{Environment.ProcessId}.pem");
        await File.WriteAllTextAsync(caFile, imap.CertificatePem);
        using var relay = Child.Start("mailbox", entra.BaseAddress.ToString(), BenchServers.EntraCaFile(entra, caFile), imap.EndPoint.Port.ToString(), caFile, entra.IssueRefreshToken());
        var directToken = entra.IssueAccessToken();

        using var nginx = await NginxReference.StartAsync(imap.EndPoint);

        Func<Task<ImapClient>> WithToken(IPEndPoint endPoint, SecureSocketOptions tls) => async () =>
        {
            var client = Client();
            await client.ConnectAsync("127.0.0.1", endPoint.Port, tls);
            await client.AuthenticateAsync(new SaslMechanismOAuth2(FakeEntraId.UserName, directToken));
            return client;
        };

        Func<Task<ImapClient>> ViaProxy(bool tls) => async () =>
        {
            var client = Client();
            var endPoint = relay.EndPoints[tls ? 1 : 0];
            await client.ConnectAsync("127.0.0.1", endPoint.Port, tls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None);
            client.AuthenticationMechanisms.Clear(); // LOGIN, as a legacy app does
            await client.AuthenticateAsync(BenchServers.ClientUser, BenchServers.ClientPassword);
            return client;
        };

        // Each path with the process that does its splicing, whose CPU time is counted (none for direct).
        var paths = new List<(string Name, Func<Task<ImapClient>> Connect, int? Splicer)>
        {
            ("direct (TLS, XOAUTH2)", WithToken(imap.EndPoint, SecureSocketOptions.SslOnConnect), null),
            ("proxy, cleartext on loopback (the sidecar case)", ViaProxy(tls: false), relay.Pid),
            ("proxy, TLS to the relay", ViaProxy(tls: true), relay.Pid),
        };
        if (nginx is not null) paths.Add(("reference: nginx stream proxy, cleartext client, XOAUTH2 by the client", WithToken(nginx.EndPoint, SecureSocketOptions.None), nginx.Pid));

        // Until both processes run tier-1 code, as a relay that has been up for a while does.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            foreach (var path in paths) await FetchAllAsync(path.Connect);
        }

        var seconds = paths.Select(_ => new List<double>()).ToArray();
        var cpu = paths.Select(_ => new List<double>()).ToArray();
        var driverCpu = paths.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var p = 0; p < paths.Count; p++)
            {
                var splicer = paths[p].Splicer;
                var cpuBefore = splicer is { } pid ? ProcessStats.CpuTime(pid) : TimeSpan.Zero;
                var driverBefore = ProcessStats.CpuTime(Environment.ProcessId);
                seconds[p].Add(await FetchAllAsync(paths[p].Connect));
                driverCpu[p].Add((ProcessStats.CpuTime(Environment.ProcessId) - driverBefore).TotalSeconds);
                if (splicer is { } after) cpu[p].Add((ProcessStats.CpuTime(after) - cpuBefore).TotalSeconds);
            }
        }

        var megabytes = mailboxBytes / 1024.0 / 1024.0;
        Console.WriteLine($"## IMAP proxy vs direct ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        Console.WriteLine($"Fetching a {megabytes:F0} MB mailbox ({MessageCount} messages) with MailKit's ImapClient, {Rounds} rounds after {WarmUpRounds} to warm up;");
        Console.WriteLine("the ratio is the median of each round's ratio to the direct fetch just before it (the machine's load drifts):");
        Console.WriteLine();
        Console.WriteLine("| path | MB/s (median) | ratio to direct | splicer CPU ms per 100 MB | client and fake server CPU ms per 100 MB |");
        Console.WriteLine("|---|---|---|---|---|");
        for (var p = 0; p < paths.Count; p++)
        {
            var rate = megabytes / Median(seconds[p]);
            var ratio = Median(seconds[0].Zip(seconds[p], (direct, path) => direct / path).ToList());
            var splicerCpu = cpu[p].Count == 0 ? "" : $"{Median(cpu[p]) * 100 / megabytes * 1000:F0}";
            Console.WriteLine($"| {paths[p].Name} | {rate:F0} | {ratio:F2} | {splicerCpu} | {Median(driverCpu[p]) * 100 / megabytes * 1000:F0} |");
        }

        if (nginx is null) Console.WriteLine("\n(nginx reference left out: apt-get install nginx-light libnginx-mod-stream)");
        Console.WriteLine();
        await IdleSessionsAsync(relay);
        File.Delete(caFile);
        File.Delete(caFile + ".entra.pem");
    }

    /// <summary>Opens 1,000 logged-in, spliced sessions (raw LOGIN on the cleartext listener) and reads the relay's RSS.</summary>
    private static async Task IdleSessionsAsync(Child relay)
    {
        var before = ProcessStats.ResidentBytes(relay.Pid);
        var sessions = new List<TcpClient>();
        try
        {
            for (var i = 0; i < IdleSessions; i++) sessions.Add(await LoginAsync(relay.EndPoints[0]));
            GC.KeepAlive(sessions);
            var with = ProcessStats.ResidentBytes(relay.Pid);
            Console.WriteLine($"Idle spliced IMAP sessions: relay RSS {EngineBenchmark.Mb(before)} MB before, {EngineBenchmark.Mb(with)} MB with {IdleSessions} open ({(with - before) / IdleSessions / 1024.0:F1} KB each, upstream TLS included).");
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    private static async Task<TcpClient> LoginAsync(IPEndPoint relay)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        await tcp.ConnectAsync(relay);
        var stream = tcp.GetStream();
        var reader = new BufferedLineReader(stream);
        await reader.ReadLineAsync(); // greeting
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"a LOGIN {BenchServers.ClientUser} {BenchServers.ClientPassword}\r\n"));
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.AsSpan().StartsWith("a OK"u8)) return tcp;
            if (line.AsSpan().StartsWith("a "u8)) break;
        }

        throw new InvalidOperationException("login through the proxy failed");
    }

    private static async Task<double> FetchAllAsync(Func<Task<ImapClient>> connect)
    {
        var clock = Stopwatch.StartNew();
        using var client = await connect();
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        for (var i = 0; i < client.Inbox.Count; i++)
        {
            await using var stream = await client.Inbox.GetStreamAsync(i, string.Empty);
            await stream.CopyToAsync(Stream.Null);
        }

        await client.DisconnectAsync(quit: true);
        return clock.Elapsed.TotalSeconds;
    }

    private static ImapClient Client() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static byte[] Message(int seed)
    {
        var attachment = new byte[MessageSize * 3 / 4]; // base64 makes it about the size asked for
        new Random(seed).NextBytes(attachment);
        var body = new BodyBuilder { TextBody = "Scanned document.\r\n" };
        body.Attachments.Add($"scan-{seed}.pdf", attachment, new ContentType("application", "pdf"));
        var message = new MimeMessage([MailboxAddress.Parse("scanner@example.test")], [MailboxAddress.Parse(FakeEntraId.UserName)], $"Scan {seed}", body.ToMessageBody());
        using var bytes = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, bytes);
        return bytes.ToArray();
    }
}
