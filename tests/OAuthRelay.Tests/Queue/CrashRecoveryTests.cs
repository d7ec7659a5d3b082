using System.Security.Cryptography;
using System.Text;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Queue;

/// <summary>
/// The relay in a child process, killed with SIGKILL at the worst moments, then started again on the same queue: every
/// message a client was told 250 for reaches the fake Office 365 with the same bytes (SHA-256), nothing else does, and
/// a message can arrive twice only when the kill came while the upstream was taking it, which the restarted relay logs.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncDisposable
{
    private const string Recipient = "someone@example.test";

    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-crash-").FullName;
    private FakeEntraId _entra = null!;
    private FakeOffice365 _office = null!;

    public async ValueTask DisposeAsync()
    {
        await _office.DisposeAsync();
        await _entra.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Killed_during_data_and_right_after_250_the_relay_delivers_exactly_the_acknowledged_messages_after_restart()
    {
        await StartFakesAsync();
        var unreachable = Path.Combine(_folder, "unreachable.json");
        await WriteConfigAsync(unreachable, upstreamPort: 9); // nothing listens: the messages stay queued
        var acknowledged = new List<byte[]>();
        string logsBefore;

        await using (var relay = await RelayProcess.StartAsync(unreachable))
        {
            await using var client = await RawSmtpClient.OpenAsync(relay.SmtpEndPoint);
            for (var i = 0; i < 5; i++)
            {
                var content = Content($"acknowledged {i}");
                Assert.Equal(250, (await client.SendMessageAsync(FakeEntraId.UserName, Recipient, Wire(content))).Code);
                acknowledged.Add(content);
            }

            // (a) A sixth message is half sent when the relay dies: its client never hears 250.
            await using var halfway = await RawSmtpClient.OpenAsync(relay.SmtpEndPoint);
            Assert.Equal(250, (await halfway.CommandAsync("EHLO client.test")).Code);
            Assert.Equal(250, (await halfway.CommandAsync($"MAIL FROM:<{FakeEntraId.UserName}>")).Code);
            Assert.Equal(250, (await halfway.CommandAsync($"RCPT TO:<{Recipient}>")).Code);
            Assert.Equal(354, (await halfway.CommandAsync("DATA")).Code);
            await halfway.SendRawAsync("Subject: never acknowledged\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 998) + "\r\n", 100)));
            await WaitForFileAsync(Path.Combine(_folder, "queue", "incoming"));

            // (b) Right after the 250s, once the first attempts against the unreachable upstream are recorded: a kill
            // during one of those is case (c), a message that may have gone, and is tested below.
            await relay.Logs.WaitForLineAsync("attempt 1:", 5);
            await WaitUntilNoneAsync(Path.Combine(_folder, "queue", "messages"), "*.sending");
            await relay.KillAsync();
            logsBefore = relay.Logs.All;
        }

        var reachable = Path.Combine(_folder, "reachable.json");
        await WriteConfigAsync(reachable, _office.EndPoint.Port);
        await using (var restarted = await RelayProcess.StartAsync(reachable))
        {
            await _office.WaitForMessagesAsync(5);
            await restarted.Logs.WaitForLineAsync("delivered: 250", 5);

            Assert.True(restarted.Logs.Count("removed 1 file(s) of messages still being received") == 1, $"Before:\n{logsBefore}\nAfter:\n{restarted.Logs.All}");
            Assert.DoesNotContain(restarted.Logs.Lines, l => l.Contains("may have been delivered already"));
        }

        Assert.Equal(Hashes(acknowledged), Hashes(_office.Messages.Select(m => m.Content)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder, "queue", "messages")));
    }

    [Fact]
    public async Task Killed_while_the_upstream_takes_a_message_the_relay_sends_it_again_after_restart_and_logs_the_possible_duplicate()
    {
        await StartFakesAsync();
        var config = Path.Combine(_folder, "relay.json");
        await WriteConfigAsync(config, _office.EndPoint.Port);
        RelayProcess? relay = null;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // (c) The upstream has the whole message; the relay dies before it hears the 250.
        _office.BeforeAcknowledging = async _ =>
        {
            if (killed.Task.IsCompleted) return;
            await relay!.KillAsync();
            killed.TrySetResult();
        };

        var content = Content("in flight");
        await using (relay = await RelayProcess.StartAsync(config))
        {
            await using var client = await RawSmtpClient.OpenAsync(relay.SmtpEndPoint);
            Assert.Equal(250, (await client.SendMessageAsync(FakeEntraId.UserName, Recipient, Wire(content))).Code);
            await killed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await using (var restarted = await RelayProcess.StartAsync(config))
        {
            await _office.WaitForMessagesAsync(2);
            await restarted.Logs.WaitForLineAsync("delivered: 250");

            Assert.Single(restarted.Logs.Lines, l => l.Contains("may have been delivered already and is sent again (at-least-once)"));
        }

        Assert.Equal(Hashes([content, content]), Hashes(_office.Messages.Select(m => m.Content)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder, "queue", "messages")));
    }

    private async Task StartFakesAsync()
    {
        _entra = await FakeEntraId.StartAsync();
        _office = new FakeOffice365(_entra);
    }

    /// <summary>
    /// A relay whose one client (on the loopback network, no AUTH) queues everything for the account's mailbox, its
    /// queue, spool and tokens in the test's folder; the account is signed in through the command line beforehand.
    /// </summary>
    private async Task WriteConfigAsync(string path, int upstreamPort)
    {
        var entraCa = Path.Combine(_folder, "entra-ca.pem");
        await File.WriteAllTextAsync(entraCa, _entra.CertificatePem);
        var officeCa = Path.Combine(_folder, "office-ca.pem");
        await File.WriteAllTextAsync(officeCa, _office.CertificatePem);
        var settings = UpstreamRelaySettings.For(_entra.BaseAddress, entraCa, upstreamPort, officeCa, _folder);
        settings["Smtp:HostName"] = "relay.test";
        settings["Listeners:main:Address"] = "127.0.0.1";
        settings["Listeners:main:Port"] = "0";
        settings["Clients:app:Networks:0"] = "127.0.0.0/8";
        settings["Clients:app:Account"] = "office";
        settings["Clients:app:DeliveryMode"] = "Queue";
        settings["Queue:Directory"] = Path.Combine(_folder, "queue");
        settings["Queue:InitialRetry"] = "00:00:01";
        settings["Admin:Port"] = "0";
        ConfigFiles.WriteJson(path, settings);

        if (!File.Exists(Path.Combine(_folder, "refresh-token")))
        {
            await File.WriteAllTextAsync(Path.Combine(_folder, "refresh-token"), _entra.IssueRefreshToken());
            var (exit, _, error) = await CommandLineRun.RunAsync("import-refresh-token", "office", "--file", Path.Combine(_folder, "refresh-token"), "--config", path);
            Assert.True(exit == 0, error);
        }
    }

    /// <summary>A message of its own, with a body large enough to be written in several pieces.</summary>
    private static byte[] Content(string subject) =>
        Encoding.UTF8.GetBytes($"Subject: {subject}\r\nMessage-ID: <{Guid.NewGuid()}@contoso.test>\r\n\r\n{string.Concat(Enumerable.Repeat($"{subject} line\r\n", 2000))}");

    /// <summary>The content as sent in DATA (no line starts with a dot), without the final CRLF the client adds.</summary>
    private static string Wire(byte[] content) => Encoding.UTF8.GetString(content)[..^2];

    private static List<string> Hashes(IEnumerable<byte[]> messages) => messages.Select(m => Convert.ToHexString(SHA256.HashData(m))).Order().ToList();

    /// <summary>Waits until the folder has a file (a message being received), polling the disk as a client would see it.</summary>
    /// <summary>Waits until no file in <paramref name="folder"/> matches <paramref name="pattern"/>.</summary>
    private static async Task WaitUntilNoneAsync(string folder, string pattern)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var watcher = new FileSystemWatcher(folder, pattern) { EnableRaisingEvents = true };
        var deleted = new SemaphoreSlim(0);
        watcher.Deleted += (_, _) => deleted.Release();
        while (Directory.GetFiles(folder, pattern).Length > 0) await deleted.WaitAsync(timeout.Token);
    }

    private static async Task WaitForFileAsync(string folder)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var watcher = new FileSystemWatcher(folder) { EnableRaisingEvents = true };
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, _) => created.TrySetResult();
        if (Directory.GetFiles(folder).Length == 0) await created.Task.WaitAsync(timeout.Token);
    }
}
