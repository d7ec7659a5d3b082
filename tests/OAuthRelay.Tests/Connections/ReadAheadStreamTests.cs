using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using OAuthRelay.Connections;
using OAuthRelay.Fakes;

namespace OAuthRelay.Tests.Connections;

/// <summary>The read-ahead under the upstream's SslStream, over a loopback TCP connection.</summary>
public sealed class ReadAheadStreamTests : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private Socket? _server;

    private async Task<(ReadAheadStream Reading, NetworkStream Far)> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var accept = listener.AcceptAsync();
        await _client.ConnectAsync(listener.LocalEndPoint!);
        _server = await accept.WaitAsync(Limit);
        return (new ReadAheadStream(new NetworkStream(_client), chunkSize: 64 * 1024), new NetworkStream(_server));
    }

    [Fact]
    public async Task Carries_TLS_byte_for_byte_while_the_other_direction_writes()
    {
        var (reading, far) = await ConnectAsync();
        await using var tls = new SslStream(reading, leaveInnerStreamOpen: false);
        await using var farTls = new SslStream(far);
        await Task.WhenAll(
            tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true }),
            farTls.AuthenticateAsServerAsync(FakeCertificate.Instance)).WaitAsync(Limit);
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var echo = Task.Run(async () =>
        {
            var line = new byte[5];
            await farTls.ReadExactlyAsync(line);
            return line;
        });
        var send = Task.Run(async () =>
        {
            var random = new Random(1);
            for (var offset = 0; offset < payload.Length;)
            {
                var size = Math.Min(random.Next(1, 100_000), payload.Length - offset);
                await farTls.WriteAsync(payload.AsMemory(offset, size));
                offset += size;
            }

            await echo; // the far end's read must be done before it closes
            await farTls.ShutdownAsync(); // close_notify: the end of the stream after the last byte
            _server!.Shutdown(SocketShutdown.Send);
        });
        await tls.WriteAsync("ping\n"u8.ToArray()); // a write while the read-ahead may be waiting for data

        var received = new MemoryStream();
        var buffer = new byte[100_000];
        var sizes = new Random(2);
        while (true)
        {
            _ = await tls.ReadAsync(Memory<byte>.Empty).AsTask().WaitAsync(Limit);
            var read = await tls.ReadAsync(buffer.AsMemory(0, sizes.Next(1, buffer.Length))).AsTask().WaitAsync(Limit);
            if (read == 0) break;
            received.Write(buffer, 0, read);
        }

        await send.WaitAsync(Limit);
        Assert.Equal("ping\n"u8.ToArray(), await echo.WaitAsync(Limit));
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received.ToArray()));
    }

    [Fact]
    public async Task A_zero_byte_read_waits_for_data_unless_some_is_already_read_ahead()
    {
        var (reading, far) = await ConnectAsync();
        var waiting = reading.ReadAsync(Memory<byte>.Empty).AsTask();
        Assert.False(waiting.IsCompleted);

        await far.WriteAsync("abc"u8.ToArray());
        Assert.Equal(0, await waiting.WaitAsync(Limit));
        var one = new byte[1];
        Assert.Equal(1, await reading.ReadAsync(one).AsTask().WaitAsync(Limit));
        Assert.Equal((byte)'a', one[0]);

        var buffered = reading.ReadAsync(Memory<byte>.Empty);
        Assert.True(buffered.IsCompleted); // "bc" came in the same chunk
        var rest = new byte[10];
        Assert.Equal(2, await reading.ReadAsync(rest).AsTask().WaitAsync(Limit));
        Assert.Equal("bc"u8.ToArray(), rest[..2]);
    }

    [Fact]
    public async Task Reports_the_end_of_the_stream()
    {
        var (reading, far) = await ConnectAsync();
        await far.WriteAsync("last"u8.ToArray());
        _server!.Shutdown(SocketShutdown.Send);

        var buffer = new byte[16];
        Assert.Equal(4, await reading.ReadAsync(buffer).AsTask().WaitAsync(Limit));
        Assert.Equal(0, await reading.ReadAsync(buffer).AsTask().WaitAsync(Limit));
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
