using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace OAuthRelay.Bench;

/// <summary>A lean SMTP client for load: PIPELINING for MAIL/RCPT/DATA, reused buffers, per-message latency.</summary>
internal static class LoadClient
{
    private static readonly byte[] Envelope = "MAIL FROM:<bench@contoso.test>\r\nRCPT TO:<sink@example.test>\r\nDATA\r\n"u8.ToArray();

    public sealed record Result(int Messages, TimeSpan Elapsed, double[] LatenciesMs)
    {
        public double PerSecond => Messages / Elapsed.TotalSeconds;

        public double Percentile(double p) => LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)(p * LatenciesMs.Length))];
    }

    /// <summary>A message of about <paramref name="size"/> bytes in 78-byte CRLF lines, ending with the end-of-data mark.</summary>
    public static byte[] Message(int size)
    {
        var text = new StringBuilder("From: bench@contoso.test\r\nTo: sink@example.test\r\nSubject: bench\r\n\r\n");
        while (text.Length < size) text.Append(new string('x', 76)).Append("\r\n");
        return Encoding.ASCII.GetBytes(text.Append(".\r\n").ToString());
    }

    public static async Task<Result> RunAsync(IPEndPoint server, bool startTls, int connections, int messagesPerConnection, byte[] message)
    {
        var latencies = new double[connections][];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
            latencies[c] = await RunConnectionAsync(server, startTls, messagesPerConnection, message)));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(all.Length, elapsed, all);
    }

    private static async Task<double[]> RunConnectionAsync(IPEndPoint server, bool startTls, int messages, byte[] message)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var replies = new ReplyReader(stream);
        await replies.ExpectAsync(220);
        await SendAsync(stream, "EHLO bench.test\r\n"u8.ToArray());
        await replies.ExpectAsync(250);
        if (startTls)
        {
            await SendAsync(stream, "STARTTLS\r\n"u8.ToArray());
            await replies.ExpectAsync(220);
            var tls = new SslStream(stream, false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("localhost");
            stream = tls;
            replies = new ReplyReader(stream);
            await SendAsync(stream, "EHLO bench.test\r\n"u8.ToArray());
            await replies.ExpectAsync(250);
        }

        var latencies = new double[messages];
        for (var i = 0; i < messages; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await SendAsync(stream, Envelope);
            await replies.ExpectAsync(250);
            await replies.ExpectAsync(250);
            await replies.ExpectAsync(354);
            await SendAsync(stream, message);
            await replies.ExpectAsync(250);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        await SendAsync(stream, "QUIT\r\n"u8.ToArray());
        await stream.DisposeAsync();
        return latencies;
    }

    private static async Task SendAsync(Stream stream, byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>Opens connections that only read the greeting and then stay idle.</summary>
    public static async Task<List<Socket>> OpenIdleAsync(IPEndPoint server, int count)
    {
        var sockets = new List<Socket>(count);
        var greeting = new byte[512];
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server);
            var read = await socket.ReceiveAsync(greeting);
            if (read < 3 || greeting[0] != (byte)'2') throw new InvalidOperationException($"connection {i}: no greeting");
            sockets.Add(socket);
        }

        return sockets;
    }

    /// <summary>Reads SMTP replies from a stream.</summary>
    private sealed class ReplyReader(Stream stream)
    {
        private readonly OAuthRelay.Fakes.BufferedLineReader _lines = new(stream);

        public async Task ExpectAsync(int code)
        {
            while (true)
            {
                var line = await _lines.ReadLineAsync() ?? throw new IOException("server closed the connection");
                var got = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
                if (got != code) throw new InvalidOperationException($"expected {code}, got {Encoding.ASCII.GetString(line)}");
                if (line.Length < 4 || line[3] != '-') return;
            }
        }
    }
}
