using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OAuthRelay.Connections;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Smtp.Transport;

namespace OAuthRelay.Smtp.Server;

/// <summary>
/// Serves the connections of one listener: applies the connection limits, then runs an SMTP session.
/// Kestrel owns accepting, the socket and graceful shutdown; this only speaks the protocol.
/// </summary>
public sealed partial class SmtpConnectionHandler(
    SmtpListenerSettings listener,
    SmtpServerOptions options,
    ConnectionLimiter limiter,
    ISmtpBackend backend,
    TimeProvider time,
    ILogger<SmtpConnectionHandler> logger,
    CancellationToken shutdown)
{
    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        using var slot = limiter.TryAcquire(listener.Name, remote, out var limitReached);
        var transport = new SmtpTransport(connection.Transport.Input, connection.Transport.Output);
        await using (transport)
        {
            if (slot is null)
            {
                LogRefused(connection.ConnectionId, remote?.ToString(), listener.Name, limitReached);
                // An implicit-TLS client expects a handshake first, so a cleartext 421 would be noise: just close.
                if (listener.Tls == TlsMode.Implicit) return;
                transport.Write(SmtpReplies.TooManyConnections);
                await transport.FlushAsync(CancellationToken.None);
                return;
            }

            LogOpened(connection.ConnectionId, remote?.ToString(), listener.Name);
            var started = time.GetTimestamp();
            var info = new SmtpSessionInfo(listener.Name, connection.RemoteEndPoint, connection.LocalEndPoint, false, connection.ConnectionId);
            await using var session = new SmtpSession(transport, listener, options, backend, info, time, logger, shutdown);
            await session.RunAsync();
            LogClosed(connection.ConnectionId, remote?.ToString(), listener.Name, (long)time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId} {Remote}: refused on {Listener}: {Limit} reached (421 4.3.2)")]
    private partial void LogRefused(string connectionId, string? remote, string listener, string? limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId} {Remote}: connected to {Listener}")]
    private partial void LogOpened(string connectionId, string? remote, string listener);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: SMTP session from {Remote} on {Listener} ended after {DurationMs}ms")]
    private partial void LogClosed(string connectionId, string? remote, string listener, long durationMs);
}
