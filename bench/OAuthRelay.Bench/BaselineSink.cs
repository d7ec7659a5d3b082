using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OAuthRelay.Bench;

/// <summary>
/// The baseline: a naive hand-written SMTP sink on plain sockets — fixed replies, a byte loop to find the end of DATA,
/// no limits, no TLS. It runs in the same script on the same machine, so the relay's ratios to it survive a noisy host.
/// </summary>
internal sealed class BaselineSink : IDisposable
{
    private static readonly byte[] Greeting = "220 baseline\r\n"u8.ToArray();
    private static readonly byte[] Ok = "250 2.0.0 OK\r\n"u8.ToArray();
    private static readonly byte[] StartData = "354 go\r\n"u8.ToArray();
    private static readonly byte[] Bye = "221 2.0.0 bye\r\n"u8.ToArray();
    private static readonly byte[] EndOfData = "\r\n.\r\n"u8.ToArray();

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public BaselineSink()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        _ = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true) _ = ServeAsync(await _listener.AcceptAsync());
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private static async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        using var stream = new NetworkStream(socket);
        var buffer = new byte[64 * 1024];
        var line = new StringBuilder();
        var inData = false;
        var tail = new List<byte>(5);
        try
        {
            await stream.WriteAsync(Greeting);
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                using var replies = new MemoryStream();
                for (var i = 0; i < read; i++)
                {
                    var b = buffer[i];
                    if (inData)
                    {
                        tail.Add(b);
                        if (tail.Count > 5) tail.RemoveAt(0);
                        if (tail.Count == 5 && tail.SequenceEqual(EndOfData))
                        {
                            inData = false;
                            tail.Clear();
                            replies.Write(Ok);
                        }

                        continue;
                    }

                    if (b != '\n') { line.Append((char)b); continue; }
                    var command = line.ToString().TrimEnd('\r').ToUpperInvariant();
                    line.Clear();
                    if (command == "DATA") { inData = true; tail.Add((byte)'\r'); tail.Add((byte)'\n'); replies.Write(StartData); }
                    else if (command == "QUIT") { await stream.WriteAsync(Bye); return; }
                    else replies.Write(Ok);
                }

                if (replies.Length > 0) await stream.WriteAsync(replies.GetBuffer().AsMemory(0, (int)replies.Length));
            }
        }
        catch (IOException)
        {
        }
    }

    public void Dispose() => _listener.Dispose();
}
