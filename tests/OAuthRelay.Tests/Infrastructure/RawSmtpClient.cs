using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// A scripted SMTP client over a real socket: sends exactly the bytes a test gives and parses replies.
/// Every read is bounded in time so a broken server fails the test instead of hanging it.
/// </summary>
public sealed class RawSmtpClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _tcp;
    private Stream _stream;

    private RawSmtpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint server, IPAddress? from = null)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        if (from is not null) tcp.Client.Bind(new IPEndPoint(from, 0));
        await tcp.ConnectAsync(server);
        return new RawSmtpClient(tcp);
    }

    /// <summary>Connects and reads the 220 greeting.</summary>
    public static async Task<RawSmtpClient> OpenAsync(IPEndPoint server, IPAddress? from = null)
    {
        var client = await ConnectAsync(server, from);
        var greeting = await client.ReadReplyAsync();
        Assert.Equal(220, greeting.Code);
        return client;
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends one command line (CRLF added) and reads its reply.</summary>
    public async Task<SmtpTestReply> CommandAsync(string line)
    {
        await SendRawAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>EHLO, MAIL, RCPT, DATA, the content and the end mark; returns the reply to the end of DATA.</summary>
    public async Task<SmtpTestReply> SendMessageAsync(string from, string to, string content)
    {
        Assert.Equal(250, (await CommandAsync("EHLO client.test")).Code);
        Assert.Equal(250, (await CommandAsync($"MAIL FROM:<{from}>")).Code);
        Assert.Equal(250, (await CommandAsync($"RCPT TO:<{to}>")).Code);
        Assert.Equal(354, (await CommandAsync("DATA")).Code);
        await SendRawAsync(content + "\r\n.\r\n");
        return await ReadReplyAsync();
    }

    public async Task<SmtpTestReply> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException($"Connection closed after {lines.Count} reply lines.");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-') return SmtpTestReply.Parse(lines);
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

    private async Task<string?> ReadLineAsync()
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
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
