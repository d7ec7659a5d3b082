using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OAuthRelay.Queue;
using OAuthRelay.Spool;

namespace OAuthRelay.Bench;

/// <summary>
/// What the disk costs a queued message before its 250, on the folder the benchmark's relays use: a 4 KB file written
/// and fsync'd, the same with its folder fsync'd, two such files (envelope and content apart) and their folder, and
/// the queue store's whole acceptance (write, fsync, rename, folder fsync). One sequential client cannot be told 250
/// faster than the last allows.
/// </summary>
internal static class FsyncFloor
{
    private const int Rounds = 300;

    /// <summary>Prints the floors; returns the queue store's acceptance in ms (median).</summary>
    public static async Task<double> PrintAsync()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-bench-fsync-").FullName;
        try
        {
            var content = new byte[4 * 1024];
            async Task WriteSyncedAsync(string path)
            {
                await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                await file.WriteAsync(content);
                file.Flush(flushToDisk: true);
            }

            var fileSync = await MedianAsync(i => WriteSyncedAsync(Path.Combine(folder, $"{i}.bin")));
            var fileAndFolder = await MedianAsync(async i =>
            {
                await WriteSyncedAsync(Path.Combine(folder, $"{i}.one"));
                FlushFolder(folder);
            });
            var twoFilesAndFolder = await MedianAsync(async i =>
            {
                await WriteSyncedAsync(Path.Combine(folder, $"{i}.envelope"));
                await WriteSyncedAsync(Path.Combine(folder, $"{i}.content"));
                FlushFolder(folder);
            });
            using var store = new QueueStore(Options.Create(new QueueOptions { Directory = Path.Combine(folder, "queue") }), TimeProvider.System, NullLogger<QueueStore>.Instance);
            var acceptance = await MedianAsync(async i =>
            {
                var envelope = new Envelope($"fsync-{i}", "app", "office", "bench@contoso.test", ["sink@example.test"], false, 0, DateTimeOffset.UtcNow);
                await store.AcceptAsync(envelope, new MemoryStream(content), isBounce: false, CancellationToken.None);
            });
            Console.WriteLine($"Disk ({folder}, median of {Rounds}, 4 KB): a file written and fsync'd {fileSync:F2} ms; with its folder fsync'd too {fileAndFolder:F2} ms; " +
                $"two files and their folder {twoFilesAndFolder:F2} ms; the queue's acceptance (write, fsync, rename, folder fsync) {acceptance:F2} ms, " +
                $"so one sequential client is told 250 at most {1000 / acceptance:F0} times a second in queue mode.");
            Console.WriteLine();
            return acceptance;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // As the queue store does (Durability.FlushDirectory): .NET opens no directory, so libc does.
    private static void FlushFolder(string folder)
    {
        var fd = Open(folder, 0x10000); // O_RDONLY | O_DIRECTORY
        if (fd < 0) throw new IOException($"cannot open {folder}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"cannot fsync {folder}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

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
