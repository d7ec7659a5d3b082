using System.Net;
using System.Net.Sockets;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>A scripted SMTP client: commands and multi-line replies.</summary>
public sealed class RawSmtpClient : RawLineClient
{
    private RawSmtpClient(TcpClient tcp)
        : base(tcp)
    {
    }

    public static new async Task<RawSmtpClient> ConnectAsync(IPEndPoint server, IPAddress? from = null) => new(await ConnectTcpAsync(server, from));

    /// <summary>Connects and reads the 220 greeting.</summary>
    public static async Task<RawSmtpClient> OpenAsync(IPEndPoint server, IPAddress? from = null)
    {
        var client = new RawSmtpClient(await ConnectTcpAsync(server, from));
        var greeting = await client.ReadReplyAsync();
        Assert.Equal(220, greeting.Code);
        return client;
    }

    /// <summary>Sends one command line (CRLF added) and reads its reply.</summary>
    public async Task<SmtpTestReply> CommandAsync(string line)
    {
        await SendRawAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>EHLO, MAIL, RCPT, DATA, the content and the end mark; returns the reply to the end of DATA.</summary>
    public Task<SmtpTestReply> SendMessageAsync(string from, string to, string content) => SendMessageAsync(from, [to], content);

    /// <summary>The same, to several recipients.</summary>
    public async Task<SmtpTestReply> SendMessageAsync(string from, IReadOnlyList<string> to, string content)
    {
        Assert.Equal(250, (await CommandAsync("EHLO client.test")).Code);
        Assert.Equal(250, (await CommandAsync($"MAIL FROM:<{from}>")).Code);
        foreach (var recipient in to) Assert.Equal(250, (await CommandAsync($"RCPT TO:<{recipient}>")).Code);
        Assert.Equal(354, (await CommandAsync("DATA")).Code);
        await SendRawAsync(content + "\r\n.\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>
    /// MAIL, RCPT, DATA and the content, stopping at the first step the server refuses; returns that refusal or the
    /// reply to the end of DATA. For refusals whose step may move (the upstream's verdict at MAIL or after DATA).
    /// </summary>
    public async Task<SmtpTestReply> SendMessageOrFirstRefusalAsync(string from, string to, string content)
    {
        foreach (var command in new[] { $"MAIL FROM:<{from}>", $"RCPT TO:<{to}>", "DATA" })
        {
            var reply = await CommandAsync(command);
            if (reply.Code >= 400) return reply;
        }

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
}
