using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OAuthRelay.Queue;
using OAuthRelay.Spool;

namespace OAuthRelay.Bench;

/// <summary>
/// What the disk costs a queued message before its 250, on the folder the benchmark's relays use: a 4 KB file written
/// and fsync'd, and the queue store's whole acceptance (write, fsync, rename, folder fsync). One sequential client
/// cannot be told 250 faster than the second allows.
/// </summary>
internal static class FsyncFloor
{
    private const int Rounds = 300;

    public static async Task PrintAsync()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-bench-fsync-").FullName;
        try
        {
            var content = new byte[4 * 1024];
            var fileSync = await MedianAsync(async i =>
            {
                await using var file = new FileStream(Path.Combine(folder, $"{i}.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                await file.WriteAsync(content);
                file.Flush(flushToDisk: true);
            });
            using var store = new QueueStore(Options.Create(new QueueOptions { Directory = Path.Combine(folder, "queue") }), TimeProvider.System, NullLogger<QueueStore>.Instance);
            var acceptance = await MedianAsync(async i =>
            {
                var envelope = new Envelope($"fsync-{i}", "app", "office", "bench@contoso.test", ["sink@example.test"], false, 0, DateTimeOffset.UtcNow);
                await store.AcceptAsync(envelope, new MemoryStream(content), isBounce: false, CancellationToken.None);
            });
            Console.WriteLine($"Disk ({folder}, median of {Rounds}): a 4 KB file written and fsync'd {fileSync:F2} ms; the queue's acceptance " +
                $"(write, fsync, rename, folder fsync) {acceptance:F2} ms, so one sequential client is told 250 at most {1000 / acceptance:F0} times a second in queue mode.");
            Console.WriteLine();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> MedianAsync(Func<int, Task> round)
    {
        var times = new double[Rounds];
        for (var i = 0; i < Rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await round(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[Rounds / 2];
    }
}
