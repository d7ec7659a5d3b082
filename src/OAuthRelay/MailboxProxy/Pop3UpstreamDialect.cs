using OAuthRelay.Connections;
using OAuthRelay.Upstream;

namespace OAuthRelay.MailboxProxy;

/// <summary>The relay as a POP3 client up to login (RFC 1939, RFC 5034 AUTH with XOAUTH2 in two steps).</summary>
internal sealed class Pop3UpstreamDialect(LineTransport upstream) : IMailboxUpstreamDialect
{
    private const int MaxLineLength = 64 * 1024;

    public async Task GreetAsync(CancellationToken cancellationToken)
    {
        if (!IsOk(await ReadAsync(cancellationToken))) throw new UpstreamProtocolException("The POP3 server did not greet with +OK");
    }

    public async Task<string?> AuthenticateXOAuth2Async(string initialResponse, CancellationToken cancellationToken)
    {
        Send("AUTH XOAUTH2");
        var reply = await ReadAsync(cancellationToken);
        if (!IsContinuation(reply)) return reply;
        Send(initialResponse);
        reply = await ReadAsync(cancellationToken);
        if (IsContinuation(reply))
        {
            // A refusal can come as a continuation carrying the error; an empty line ends the exchange.
            Send(string.Empty);
            reply = await ReadAsync(cancellationToken);
        }

        return IsOk(reply) ? null : reply;
    }

    public async Task<string?> LoginAsync(string userName, string password, CancellationToken cancellationToken)
    {
        Send($"USER {userName}");
        var reply = await ReadAsync(cancellationToken);
        if (!IsOk(reply)) return reply;
        Send($"PASS {password}");
        reply = await ReadAsync(cancellationToken);
        return IsOk(reply) ? null : reply;
    }

    public Task<IReadOnlyList<string>> CapabilitiesAfterLoginAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    private static bool IsOk(string reply) => reply.StartsWith("+OK", StringComparison.OrdinalIgnoreCase);

    private static bool IsContinuation(string reply) => reply == "+" || reply.StartsWith("+ ", StringComparison.Ordinal);

    private void Send(string line)
    {
        if (line.Contains('\r') || line.Contains('\n')) throw new UpstreamProtocolException("A user name or password with a line break cannot be sent");
        upstream.WriteText(line + "\r\n");
    }

    private async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await upstream.ReadLineAsync(MaxLineLength, cancellationToken);
        if (line.IsClosed) throw new UpstreamProtocolException("The POP3 server closed the connection");
        return line.Text ?? throw new UpstreamProtocolException($"The POP3 server sent an unreadable line ({line.Error})");
    }
}
