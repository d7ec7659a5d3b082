using System.Diagnostics;

namespace OAuthRelay.Bench;

/// <summary>
/// Issue 14: 10,000 messages of 50 KB queued by a relay in queue mode, drained to the fake Office 365 at the
/// mailbox's pace: the relay's memory before, at its peak and after, and the rate at which the upstream is fed.
/// </summary>
internal static class QueueDrainBenchmark
{
    private const int Messages = 10_000;
    private const int MessageSize = 50 * 1024;
    private const int Connections = 4;
    private const int WarmUp = 20;

    // High, so that the drain takes under two minutes; Exchange Online's own limit is 30.
    private const int MessagesPerMinute = 6000;

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static async Task RunAsync(UpstreamFakes fakes)
    {
        using var relay = fakes.StartRelay("Queue", MessagesPerMinute);
        var message = MailKitSender.Message(MessageSize);
        await MailKitSender.SendAsync(() => UpstreamFakes.ConnectAsync(relay), message, WarmUp, perMessageConnection: false);
        await fakes.WaitForUpstreamAsync(WarmUp, Minute);
        fakes.ForgetUpstreamMessages();

        ProcessStats.ResetPeak(relay.Pid);
        var before = ProcessStats.ResidentBytes(relay.Pid);
        var cpuBefore = ProcessStats.CpuTime(relay.Pid);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ =>
            MailKitSender.SendAsync(() => UpstreamFakes.ConnectAsync(relay), message, Messages / Connections, perMessageConnection: false)));
        var queued = clock.Elapsed;
        var drained = await fakes.WaitForUpstreamAsync(Messages, 2 * Messages / MessagesPerMinute * Minute + Minute);
        var (peak, after) = (ProcessStats.PeakResidentBytes(relay.Pid), ProcessStats.ResidentBytes(relay.Pid));
        var cpuPerMessage = (ProcessStats.CpuTime(relay.Pid) - cpuBefore).TotalMilliseconds / Messages;

        var arrivals = fakes.Office.Messages.Select(m => m.At).Order().ToArray();
        fakes.ForgetUpstreamMessages();
        var drain = arrivals[^1] - arrivals[0];
        var rate = (arrivals.Length - 1) / drain.TotalMinutes;
        Console.WriteLine($"Queue mode, {Messages} messages of {MessageSize / 1024} KB over {Connections} connections, Upstream:MessagesPerMinute {MessagesPerMinute} " +
            $"(high so that the run stays short): queued in {queued.TotalSeconds:F1} s ({Messages / queued.TotalSeconds:F0} msgs/s); " +
            (drained ? "" : $"**only {arrivals.Length} delivered** before the timeout; ") +
            $"relay RSS {EngineBenchmark.Mb(before)} MB before, peak {EngineBenchmark.Mb(peak)} MB (growth {EngineBenchmark.Mb(peak - before)} MB; bar under 64 MB), {EngineBenchmark.Mb(after)} MB after; " +
            $"relay CPU {cpuPerMessage:F2} ms/msg. Upstream fed over {drain.TotalSeconds:F1} s: {rate:F0} msgs/min ({rate / MessagesPerMinute:F3} of the pace; bar within 5 %), " +
            $"at most {MostInAnyMinute(arrivals)} in any 60 s.");
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
