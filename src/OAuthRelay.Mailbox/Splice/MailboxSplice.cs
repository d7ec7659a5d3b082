using System.Buffers;
using System.IO.Pipelines;

namespace OAuthRelay.Mailbox.Splice;

/// <summary>
/// Joins a logged-in client to its upstream byte for byte, both ways at once, without looking at the traffic.
/// Back-pressure comes from the client's pipe and the upstream's socket: a side that does not read slows the other
/// down instead of filling memory. The session ends when either side closes or fails, on shutdown, or after a time
/// with no traffic either way.
/// </summary>
public sealed class MailboxSplice(TimeProvider time, TimeSpan idleTimeout)
{
    /// <summary>Upstream reads go straight into the client's pipe, up to this much at a time (four TLS records).</summary>
    private const int ReadSize = 64 * 1024;

    /// <summary>Client data is gathered into writes of up to this much: each write to TLS is at least one record.</summary>
    private const int WriteSize = 64 * 1024;

    /// <param name="upstreamReceived">What the upstream sent before the splice began; the client gets it first.</param>
    public async Task<SpliceResult> RunAsync(IDuplexPipe client, Stream upstream, ReadOnlyMemory<byte> upstreamReceived, CancellationToken shutdown)
    {
        var started = time.GetTimestamp();
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var end = CancellationTokenSource.CreateLinkedTokenSource(shutdown, idle.Token);
        var traffic = new Traffic(idle, idleTimeout);
        var up = EndingOf(ToUpstreamAsync(client.Input, upstream, traffic, end.Token), "client", "upstream", end.Token);
        var down = EndingOf(ToClientAsync(upstreamReceived, upstream, client.Output, traffic, end.Token), "upstream", "client", end.Token);

        // Whichever side ends first ends the session: the other side has been given everything read so far.
        var first = await Task.WhenAny(up, down);
        await end.CancelAsync();
        await Task.WhenAll(up, down);
        var ending = (await first) ?? (shutdown.IsCancellationRequested ? "shutdown" : idle.IsCancellationRequested ? "idle timeout" : "ended");
        return new SpliceResult(traffic.FromClient, traffic.ToClient, time.GetElapsedTime(started), ending);
    }

    private static async Task<Closed> ToUpstreamAsync(PipeReader source, Stream destination, Traffic traffic, CancellationToken end)
    {
        while (true)
        {
            var result = await source.ReadAsync(end);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                traffic.Seen();
                await WriteGatheredAsync(destination, buffer, end);
                await destination.FlushAsync(end);
                traffic.FromClient += buffer.Length;
            }

            source.AdvanceTo(buffer.End);
            if (result.IsCompleted) return Closed.Source;
        }
    }

    private static async Task<Closed> ToClientAsync(ReadOnlyMemory<byte> received, Stream source, PipeWriter destination, Traffic traffic, CancellationToken end)
    {
        if (!received.IsEmpty)
        {
            traffic.ToClient += received.Length;
            if ((await destination.WriteAsync(received, end)).IsCompleted) return Closed.Destination;
        }

        while (true)
        {
            // Wait for data before taking a buffer: a session idling for half an hour (IMAP IDLE) holds none.
            _ = await source.ReadAsync(Memory<byte>.Empty, end);
            var read = await source.ReadAsync(destination.GetMemory(ReadSize), end);
            if (read == 0) return Closed.Source;

            traffic.Seen();
            destination.Advance(read);
            traffic.ToClient += read;
            if ((await destination.FlushAsync(end)).IsCompleted) return Closed.Destination;
        }
    }

    /// <summary>Writes a sequence of small pipe segments as few large writes.</summary>
    private static async ValueTask WriteGatheredAsync(Stream destination, ReadOnlySequence<byte> buffer, CancellationToken end)
    {
        if (buffer.IsSingleSegment)
        {
            await destination.WriteAsync(buffer.First, end);
            return;
        }

        var gathered = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length, WriteSize));
        try
        {
            while (!buffer.IsEmpty)
            {
                var part = buffer.Slice(0, Math.Min(buffer.Length, gathered.Length));
                part.CopyTo(gathered);
                await destination.WriteAsync(gathered.AsMemory(0, (int)part.Length), end);
                buffer = buffer.Slice(part.End);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(gathered);
        }
    }

    /// <summary>How one direction ended, in words for the session's log line (null: the session was cancelled).</summary>
    private static async Task<string?> EndingOf(Task<Closed> pump, string source, string destination, CancellationToken end)
    {
        try
        {
            return await pump == Closed.Source ? $"{source} closed" : $"{destination} closed";
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            return $"{source} to {destination} failed ({e.GetType().Name})";
        }
    }

    private enum Closed
    {
        Source,
        Destination,
    }

    /// <summary>Bytes moved each way, and the idle timer that traffic either way pushes back.</summary>
    private sealed class Traffic(CancellationTokenSource idle, TimeSpan idleTimeout)
    {
        public long FromClient;

        public long ToClient;

        public void Seen() => idle.CancelAfter(idleTimeout);
    }
}
