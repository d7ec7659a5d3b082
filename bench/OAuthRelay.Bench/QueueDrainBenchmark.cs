using System.Diagnostics;

namespace OAuthRelay.Bench;

/// <summary>
/// Issue 14: 10,000 messages of 50 KB queued, then drained to the fake Office 365 at the mailbox's pace. Two relays on
/// one queue folder: the first takes the messages while its mailbox may send only one a minute (so they all stay
/// queued: its memory with the whole queue held), and stops; the second takes the queue up at start and drains it at
/// MessagesPerMinute, so the upstream is fed from a full queue and what it sees is the pacing alone, not how fast
/// clients hand messages in.
/// </summary>
internal static class QueueDrainBenchmark
{
    private const int Messages = 10_000;
    private const int MessageSize = 50 * 1024;
    private const int Connections = 4;

    // Exchange Online's own limit is 30; higher here so that the drain takes minutes, not days, and still several
    // whole minutes, so that the pace is seen minute after minute.
    private const int MessagesPerMinute = 3000;

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>On its own, with upstream fakes of its own.</summary>
    public static async Task RunAsync()
    {
        Console.WriteLine($"## Queue drain ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version})");
        Console.WriteLine();
        await using var fakes = await UpstreamFakes.StartAsync();
        await RunAsync(fakes);
    }

    public static async Task RunAsync(UpstreamFakes fakes)
    {
        var queueFolder = Directory.CreateTempSubdirectory("oauthrelay-bench-queue-").FullName;
        try
        {
            await RunAsync(fakes, queueFolder);
        }
        finally
        {
            Directory.Delete(queueFolder, recursive: true);
        }
    }

    private static async Task RunAsync(UpstreamFakes fakes, string queueFolder)
    {
        fakes.ForgetUpstreamMessages();
        long before, peak, after;
        TimeSpan queued;
        using (var filling = fakes.StartRelay("Queue", messagesPerMinute: 1, queueFolder: queueFolder))
        {
            ProcessStats.ResetPeak(filling.Pid);
            before = ProcessStats.ResidentBytes(filling.Pid);
            var clock = Stopwatch.StartNew();
            // A message each: MimeKit's content streams are not for writing from several connections at once.
            await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => MailKitSender.Message(MessageSize)).ToList().Select(message =>
                MailKitSender.SendAsync(() => UpstreamFakes.ConnectAsync(filling), message, Messages / Connections, perMessageConnection: false)));
            queued = clock.Elapsed;
            (peak, after) = (ProcessStats.PeakResidentBytes(filling.Pid), ProcessStats.ResidentBytes(filling.Pid));
        }

        var waiting = Messages - fakes.Office.Messages.Count; // the few the first relay's pace let through
        fakes.ForgetUpstreamMessages();
        Console.WriteLine($"Queue mode, {Messages} messages of {MessageSize / 1024} KB over {Connections} connections, the mailbox held to 1 a minute so that they stay queued: " +
            $"queued in {queued.TotalSeconds:F1} s ({Messages / queued.TotalSeconds:F0} msgs/s); relay RSS {EngineBenchmark.Mb(before)} MB before, " +
            $"peak {EngineBenchmark.Mb(peak)} MB (growth {EngineBenchmark.Mb(peak - before)} MB; bar under 64 MB), {EngineBenchmark.Mb(after)} MB with all of them queued.");

        using var draining = fakes.StartRelay("Queue", MessagesPerMinute, queueFolder: queueFolder);
        ProcessStats.ResetPeak(draining.Pid);
        var start = ProcessStats.ResidentBytes(draining.Pid);
        var cpuBefore = ProcessStats.CpuTime(draining.Pid);
        var drained = await fakes.WaitForUpstreamAsync(waiting, (waiting / MessagesPerMinute + 2) * Minute);
        var (drainPeak, drainAfter) = (ProcessStats.PeakResidentBytes(draining.Pid), ProcessStats.ResidentBytes(draining.Pid));
        var cpuPerMessage = (ProcessStats.CpuTime(draining.Pid) - cpuBefore).TotalMilliseconds / waiting;

        var arrivals = fakes.Office.Messages.Select(m => m.At).Order().ToArray();
        fakes.ForgetUpstreamMessages();
        var perMinute = Enumerable.Range(0, (int)((arrivals[^1] - arrivals[0]) / Minute) + 1)
            .Select(m => arrivals.Count(a => a - arrivals[0] >= m * Minute && a - arrivals[0] < (m + 1) * Minute)).ToArray();
        var wholeMinutes = perMinute[..^1]; // the last minute holds what was left
        Console.WriteLine($"A relay restarted on that queue drains its {waiting} messages with Upstream:MessagesPerMinute {MessagesPerMinute}: " +
            (drained ? "" : $"**only {arrivals.Length} delivered** before the timeout; ") +
            $"the upstream got {string.Join(", ", perMinute)} in each minute from the first arrival " +
            $"({string.Join(", ", wholeMinutes.Select(n => $"{(double)n / MessagesPerMinute:F3}"))} of the pace in the whole minutes; bar within 5 %), " +
            $"at most {MostInAnyMinute(arrivals)} in any 60 s; relay RSS {EngineBenchmark.Mb(start)} MB with the queue taken up, " +
            $"peak {EngineBenchmark.Mb(drainPeak)} MB during the drain (growth {EngineBenchmark.Mb(drainPeak - start)} MB), {EngineBenchmark.Mb(drainAfter)} MB after; " +
            $"relay CPU {cpuPerMessage:F2} ms/msg.");
    }

    /// <summary>The most arrivals in any window of one minute (the limit Exchange Online counts in).</summary>
    private static int MostInAnyMinute(DateTimeOffset[] arrivals)
    {
        var most = 0;
        for (int first = 0, last = 0; last < arrivals.Length; last++)
        {
            while (arrivals[last] - arrivals[first] >= Minute) first++;
            most = Math.Max(most, last - first + 1);
        }

        return most;
    }
}
