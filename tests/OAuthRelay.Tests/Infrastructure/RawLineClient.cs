using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// A scripted line-protocol client (SMTP, IMAP, POP3) over a real socket: sends exactly the bytes a test gives.
/// Every read is bounded in time so a broken server fails the test instead of hanging it.
/// </summary>
public class RawLineClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _tcp;
    private Stream _stream;

    protected RawLineClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    protected static async Task<TcpClient> ConnectTcpAsync(IPEndPoint server, IPAddress? from)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        if (from is not null) tcp.Client.Bind(new IPEndPoint(from, 0));
        await tcp.ConnectAsync(server);
        return tcp;
    }

    public static async Task<RawLineClient> ConnectAsync(IPEndPoint server, IPAddress? from = null) => new(await ConnectTcpAsync(server, from));

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends one line (CRLF added) and reads one line back.</summary>
    public async Task<string> ExchangeAsync(string line)
    {
        await SendRawAsync(line + "\r\n");
        return await ReadLineAsync() ?? throw new IOException("Connection closed instead of a reply.");
    }

    /// <summary>Reads lines up to and including the first that starts with <paramref name="prefix"/>.</summary>
    public async Task<List<string>> ReadUntilAsync(string prefix)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException($"Connection closed after {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return lines;
        }
    }

    /// <summary>Whether the server closes the connection (rather than sending anything more) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        var buffer = new byte[1];
        using var timeout = new CancellationTokenSource(ReadTimeout);
        try
        {
            return await _stream.ReadAsync(buffer, timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async Task StartTlsAsync()
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        _stream = tls;
    }

    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            // One byte at a time, so nothing past the line is consumed before a switch to TLS.
            if (await _stream.ReadAsync(one, timeout.Token) == 0) return null;
            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r') return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            bytes.Add(one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
