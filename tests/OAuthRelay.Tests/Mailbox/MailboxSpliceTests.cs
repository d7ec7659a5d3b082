using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Splice;

namespace OAuthRelay.Tests.Mailbox;

/// <summary>The splice on in-memory pipes with a fake clock: what it moves, how it ends, and the idle timeout.</summary>
public sealed class MailboxSpliceTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// One side of the splice as the splice sees it, and the far end a test drives. The far end only reads when it is
    /// asked for a whole answer, so its pipes never pause the splice: back-pressure is not what these tests are about.
    /// </summary>
    private sealed class Side
    {
        private static readonly PipeOptions Unbounded = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0);

        private readonly Pipe _toSplice = new(Unbounded);
        private readonly Pipe _fromSplice = new(Unbounded);

        public IDuplexPipe SpliceEnd => new DuplexPipe(_toSplice.Reader, _fromSplice.Writer);

        public Stream SpliceStream => new DuplexPipeStream(_toSplice.Reader, _fromSplice.Writer);

        public PipeWriter Send => _toSplice.Writer;

        public PipeReader Receive => _fromSplice.Reader;

        public async Task<string> ReceiveAsync(int length)
        {
            while (true)
            {
                var result = await Receive.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                if (result.Buffer.Length >= length || result.IsCompleted)
                {
                    var text = Encoding.Latin1.GetString(result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length)));
                    Receive.AdvanceTo(result.Buffer.GetPosition(Math.Min(length, result.Buffer.Length)));
                    return text;
                }

                Receive.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
    }

    [Fact]
    public async Task Moves_bytes_both_ways_and_ends_when_a_side_closes()
    {
        var (client, upstream) = (new Side(), new Side());
        var run = new MailboxSplice(TimeProvider.System, IdleTimeout).RunAsync(client.SpliceEnd, upstream.SpliceStream, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        await client.Send.WriteAsync("a1 NOOP\r\n"u8.ToArray());
        Assert.Equal("a1 NOOP\r\n", await upstream.ReceiveAsync(9));
        await upstream.Send.WriteAsync("a1 OK NOOP completed.\r\n"u8.ToArray());
        await upstream.Send.CompleteAsync();

        var result = await run.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("a1 OK NOOP completed.\r\n", await client.ReceiveAsync(23));
        Assert.Equal((9, 23, "upstream closed"), (result.BytesFromClient, result.BytesToClient, result.Ending));
    }

    [Fact]
    public async Task Carries_a_large_upload_byte_for_byte()
    {
        var (client, upstream) = (new Side(), new Side());
        var run = new MailboxSplice(TimeProvider.System, IdleTimeout).RunAsync(client.SpliceEnd, upstream.SpliceStream, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        var upload = new byte[300_000];
        new Random(3).NextBytes(upload);

        for (var offset = 0; offset < upload.Length; offset += 1000) client.Send.Write(upload.AsSpan(offset, 1000)); // many small segments
        await client.Send.FlushAsync();
        var received = await upstream.ReceiveAsync(upload.Length);
        await client.Send.CompleteAsync();

        Assert.Equal(Encoding.Latin1.GetString(upload), received);
        Assert.Equal((upload.Length, "client closed"), ((int)(await run.WaitAsync(TimeSpan.FromSeconds(15))).BytesFromClient, (await run).Ending));
    }

    [Fact]
    public async Task Gives_the_client_what_the_upstream_sent_during_login_before_anything_newer()
    {
        var (client, upstream) = (new Side(), new Side());
        var run = new MailboxSplice(TimeProvider.System, IdleTimeout).RunAsync(client.SpliceEnd, upstream.SpliceStream, "* 4 EXISTS\r\n"u8.ToArray(), CancellationToken.None);

        await upstream.Send.WriteAsync("* 5 EXISTS\r\n"u8.ToArray());
        Assert.Equal("* 4 EXISTS\r\n* 5 EXISTS\r\n", await client.ReceiveAsync(24));
        await client.Send.CompleteAsync();

        var result = await run.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal((0, 24, "client closed"), (result.BytesFromClient, result.BytesToClient, result.Ending));
    }

    [Fact]
    public async Task Ends_after_the_idle_timeout_counted_from_the_last_traffic_either_way()
    {
        var time = new FakeTimeProvider();
        var (client, upstream) = (new Side(), new Side());
        var run = new MailboxSplice(time, IdleTimeout).RunAsync(client.SpliceEnd, upstream.SpliceStream, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(20));
        await upstream.Send.WriteAsync("* 3 EXISTS\r\n"u8.ToArray());
        Assert.Equal("* 3 EXISTS\r\n", await client.ReceiveAsync(12));
        time.Advance(TimeSpan.FromMinutes(29)); // 49 minutes in all, 29 since the last traffic

        // Still spliced: bytes still go through (past the 30 minutes counted from the start, the splice would be over).
        await client.Send.WriteAsync("a1 NOOP\r\n"u8.ToArray());
        Assert.Equal("a1 NOOP\r\n", await upstream.ReceiveAsync(9));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(29)); // 29 minutes after that NOOP
        await upstream.Send.WriteAsync("a1 OK\r\n"u8.ToArray());
        Assert.Equal("a1 OK\r\n", await client.ReceiveAsync(7));

        time.Advance(TimeSpan.FromMinutes(30)); // 30 minutes of silence after the last traffic
        var result = await run.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("idle timeout", result.Ending);
    }

    [Fact]
    public async Task Ends_on_shutdown()
    {
        using var shutdown = new CancellationTokenSource();
        var run = new MailboxSplice(TimeProvider.System, IdleTimeout).RunAsync(new Side().SpliceEnd, new Side().SpliceStream, ReadOnlyMemory<byte>.Empty, shutdown.Token);

        await shutdown.CancelAsync();

        Assert.Equal("shutdown", (await run.WaitAsync(TimeSpan.FromSeconds(15))).Ending);
    }
}
