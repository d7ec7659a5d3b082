using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Imap;
using OAuthRelay.Mailbox.Pop3;
using OAuthRelay.Mailbox.Splice;

namespace OAuthRelay.Mailbox.Server;

/// <summary>
/// Serves the connections of one IMAP or POP3 listener: applies the connection limits, runs the conversation up to
/// login, then splices the client to the upstream the backend opened and logs one line for the session.
/// </summary>
public sealed partial class MailboxConnectionHandler(
    MailboxListenerSettings listener,
    MailboxServerOptions options,
    ConnectionLimiter limiter,
    IMailboxBackend backend,
    TimeProvider time,
    ILogger<MailboxConnectionHandler> logger,
    CancellationToken shutdown)
{
    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        using var slot = limiter.TryAcquire(listener.Name, remote, out var limitReached);
        var transport = new LineTransport(connection.Transport.Input, connection.Transport.Output);
        await using (transport)
        {
            if (slot is null)
            {
                LogRefused(connection.ConnectionId, remote?.ToString(), listener.Name, limitReached);
                if (listener.Tls == TlsMode.Implicit) return; // the client expects a handshake: just close
                transport.WriteText(listener.Protocol == MailProtocol.Imap ? "* BYE [UNAVAILABLE] Too many connections\r\n" : "-ERR [SYS/TEMP] Too many connections\r\n");
                await transport.FlushAsync(CancellationToken.None);
                return;
            }

            LogOpened(connection.ConnectionId, remote?.ToString(), listener.Name);
            var info = new MailboxSessionInfo(listener.Name, listener.Protocol, connection.RemoteEndPoint, connection.ConnectionId, false);
            IUpstreamMailbox? upstream;
            await using (var session = OpenSession(transport, info))
            {
                upstream = await session.RunAsync();
            }

            if (upstream is null)
            {
                LogClosed(connection.ConnectionId);
                return;
            }

            await using (upstream)
            {
                var splice = new MailboxSplice(time, options.SessionIdleTimeout);
                var result = await splice.RunAsync(new DuplexPipe(transport.Input, transport.Output), upstream.Stream, upstream.Received, shutdown);
                backend.SessionEnded(info, result);
                LogSession(connection.ConnectionId, listener.Protocol.ToString().ToUpperInvariant(), upstream.Client, upstream.Account,
                    result.BytesFromClient, result.BytesToClient, (long)result.Duration.TotalMilliseconds, result.Ending);
            }
        }
    }

    private FrontEndSession OpenSession(LineTransport transport, MailboxSessionInfo info) => listener.Protocol == MailProtocol.Imap
        ? new ImapSession(transport, listener, options, backend, info, time, logger, shutdown)
        : new Pop3Session(transport, listener, options, backend, info, time, logger, shutdown);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId} {Remote}: refused on {Listener}: {Limit} reached")]
    private partial void LogRefused(string connectionId, string? remote, string listener, string? limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId} {Remote}: connected to {Listener}")]
    private partial void LogOpened(string connectionId, string? remote, string listener);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId}: closed before login")]
    private partial void LogClosed(string connectionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: {Protocol} session client={Client} upstream={Account} bytes_from_client={FromClient} bytes_to_client={ToClient} duration={DurationMs}ms ended=\"{Ending}\"")]
    private partial void LogSession(string connectionId, string protocol, string client, string account, long fromClient, long toClient, long durationMs, string ending);
}
