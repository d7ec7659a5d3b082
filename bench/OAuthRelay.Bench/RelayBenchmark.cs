using MailKit.Net.Smtp;
using MimeKit;

namespace OAuthRelay.Bench;

/// <summary>
/// Issues 4 and 14: a legacy client sending through the relay (child process, pass-through or queue) to the fake
/// Office 365 with STARTTLS and XOAUTH2, against the same client sending straight to the fake Office 365, in one run;
/// then a 25 MB message, and 10,000 queued messages drained at the mailbox's pace.
/// </summary>
internal static class RelayBenchmark
{
    // The throughput scenarios measure the relay, not the mailbox's rate limit: it is set far above what they send.
    private const int UnlimitedPerMinute = 100_000_000;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(2);

    public static async Task RunAsync()
    {
        Console.WriteLine($"## Relay vs direct to the upstream ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        var acceptanceMs = await FsyncFloor.PrintAsync();

        await using var fakes = await UpstreamFakes.StartAsync();
        using var passThrough = fakes.StartRelay("PassThrough", UnlimitedPerMinute);
        using var queue = fakes.StartRelay("Queue", UnlimitedPerMinute);
        using var tmpfsQueue = fakes.StartRelay("Queue", UnlimitedPerMinute, "/dev/shm");
        var relays = new (string Path, Child Relay)[] { ("pass-through", passThrough), ("queue", queue), ("queue on tmpfs (not durable, reference only)", tmpfsQueue) };

        Console.WriteLine($"Relays: Upstream:MessagesPerMinute {UnlimitedPerMinute} and RecipientsPerDay as high, so that the mailbox's rate limit does not bound these scenarios. " +
            "A queue relay's CPU is counted until the fake Office 365 has every message (its deliveries included).");
        Console.WriteLine();
        Console.WriteLine("| scenario | path | msgs/s | ratio to direct | p50 ms | p99 ms | relay CPU ms/msg |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var message = MailKitSender.Message(4 * 1024);
        var floorNote = "";
        foreach (var (name, perMessageConnection, count) in new[] { ("new connection per message (JavaMail Transport.send)", true, 1000), ("one connection, many messages", false, 5000) })
        {
            await WarmUpAsync(() => MailKitSender.SendAsync(fakes.ConnectDirectAsync, message, count / 2, perMessageConnection));
            var direct = await MailKitSender.SendAsync(fakes.ConnectDirectAsync, message, count, perMessageConnection);
            Console.WriteLine($"| {name} | direct | {direct.PerSecond:F0} | 1.00 | {direct.P50:F2} | {direct.P99:F2} | |");
            if (!perMessageConnection) floorNote = $"Queue, one connection: 1.5x direct is {1.5 * direct.PerSecond:F0} msgs/s, {1000 / (1.5 * direct.PerSecond):F3} ms a message, " +
                $"for a client that waits for each 250; the queue's durable acceptance alone takes {acceptanceMs:F2} ms on this disk (at most {1000 / acceptanceMs:F0} msgs/s, {1000 / acceptanceMs / direct.PerSecond:F2}x direct).";
            foreach (var (path, relay) in relays)
            {
                if (path.Contains("tmpfs") && perMessageConnection) continue;
                await WarmUpAsync(() => SendThroughAsync(fakes, relay, message, count / 2, perMessageConnection)); // and the relay's pool fills
                var cpuBefore = ProcessStats.CpuTime(relay.Pid);
                var viaRelay = await SendThroughAsync(fakes, relay, message, count, perMessageConnection);
                var cpuPerMessage = (ProcessStats.CpuTime(relay.Pid) - cpuBefore).TotalMilliseconds / count;
                Console.WriteLine($"| {name} | {path} | {viaRelay.PerSecond:F0} | {viaRelay.PerSecond / direct.PerSecond:F2} | {viaRelay.P50:F2} | {viaRelay.P99:F2} | {cpuPerMessage:F2} |");
            }

            fakes.ForgetUpstreamMessages();
        }

        Console.WriteLine();
        Console.WriteLine(floorNote);
        Console.WriteLine();
        var large = MailKitSender.Message(25 * 1024 * 1024);
        ProcessStats.ResetPeak(passThrough.Pid);
        var before = ProcessStats.ResidentBytes(passThrough.Pid);
        await MailKitSender.SendAsync(() => UpstreamFakes.ConnectAsync(passThrough), large, 1, perMessageConnection: true);
        var peak = ProcessStats.PeakResidentBytes(passThrough.Pid);
        Console.WriteLine($"Relaying a 25 MB message: relay RSS {EngineBenchmark.Mb(before)} MB before, peak {EngineBenchmark.Mb(peak)} MB during (growth {EngineBenchmark.Mb(peak - before)} MB; bar: under 32 MB).");
        fakes.ForgetUpstreamMessages();

        Console.WriteLine();
        await QueueDrainBenchmark.RunAsync(fakes);
    }

    /// <summary>
    /// Two rounds, each followed by a pause: .NET compiles hot methods again (tier 1, after an instrumented tier) on a
    /// background thread of the process a little after they get hot, and that CPU must not fall into the measured phase.
    /// </summary>
    private static async Task WarmUpAsync(Func<Task> round)
    {
        for (var i = 0; i < 2; i++)
        {
            await round();
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Sends through a relay and waits until the fake Office 365 has every message (a queue answers before it delivers).</summary>
    private static async Task<MailKitSender.Timing> SendThroughAsync(UpstreamFakes fakes, Child relay, MimeMessage message, int count, bool perMessageConnection)
    {
        fakes.ForgetUpstreamMessages();
        Task<SmtpClient> Connect() => UpstreamFakes.ConnectAsync(relay);
        var timing = await MailKitSender.SendAsync(Connect, message, count, perMessageConnection);
        if (!await fakes.WaitForUpstreamAsync(count, DrainTimeout)) throw new TimeoutException($"the fake Office 365 got {fakes.Office.Messages.Count} of {count} messages");
        return timing;
    }
}
