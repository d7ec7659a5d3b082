using System.Buffers;
using System.IO.Pipelines;

namespace OAuthRelay.Mailbox.Splice;

/// <summary>
/// Joins a logged-in client to its upstream byte for byte, both ways at once, without looking at the traffic.
/// Back-pressure comes from the pipes: a side that does not read slows the other down instead of filling memory.
/// The session ends when either side closes or fails, on shutdown, or after a time with no traffic either way.
/// </summary>
public sealed class MailboxSplice(TimeProvider time, TimeSpan idleTimeout)
{
    private const long MaxUnflushedBytes = 256 * 1024;

    public async Task<SpliceResult> RunAsync(IDuplexPipe client, IDuplexPipe upstream, CancellationToken shutdown)
    {
        var started = time.GetTimestamp();
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(shutdown, idle.Token);
        var fromClient = new Direction("client");
        var toClient = new Direction("upstream");
        var up = PumpAsync(client.Input, upstream.Output, fromClient, idle, end.Token);
        var down = PumpAsync(upstream.Input, client.Output, toClient, idle, end.Token);

        // Whichever side ends first ends the session: the other side has been given everything read so far.
        var first = await Task.WhenAny(up, down);
        await end.CancelAsync();
        await Task.WhenAll(up, down);
        var ending = (await first) ?? (shutdown.IsCancellationRequested ? "shutdown" : idle.IsCancellationRequested ? "idle timeout" : "ended");
        return new SpliceResult(fromClient.Bytes, toClient.Bytes, time.GetElapsedTime(started), ending);
    }

    /// <summary>Copies until the source ends, the destination goes away or the session is cancelled; returns why it stopped (null: cancelled).</summary>
    private async Task<string?> PumpAsync(PipeReader source, PipeWriter destination, Direction direction, CancellationTokenSource idle, CancellationToken end)
    {
        try
        {
            while (true)
            {
                var result = await source.ReadAsync(end);
                if (!result.Buffer.IsEmpty) idle.CancelAfter(idleTimeout);
                // Whatever else has already arrived goes out in the same flush: fewer, larger sends.
                var pending = 0L;
                while (true)
                {
                    foreach (var segment in result.Buffer) destination.Write(segment.Span);
                    pending += result.Buffer.Length;
                    source.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted || pending >= MaxUnflushedBytes || !source.TryRead(out result)) break;
                }

                direction.Bytes += pending;
                if (result.IsCompleted)
                {
                    await destination.FlushAsync(end);
                    return $"{direction.Name} closed";
                }

                var flush = await destination.FlushAsync(end);
                if (flush.IsCompleted) return $"{direction.Peer} closed";
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            return $"{direction.Name} error ({e.GetType().Name})";
        }
    }

    private sealed class Direction(string name)
    {
        public string Name => name;

        public string Peer => name == "client" ? "upstream" : "client";

        public long Bytes;
    }
}
