using Microsoft.Extensions.Logging;

namespace OAuthRelay.Connections;

/// <summary>The log lines every protocol engine writes for the same connection events, worded the same way.</summary>
public static partial class ConnectionLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: dropped {Bytes} bytes pipelined after STARTTLS")]
    public static partial void PipelinedAfterStartTls(ILogger logger, string connectionId, long bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId}: TLS established ({Tls})")]
    public static partial void TlsEstablished(ILogger logger, string connectionId, string? tls);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: TLS handshake failed: {Error}: {Detail}")]
    public static partial void TlsFailed(ILogger logger, string connectionId, string error, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: closing with {Reply}")]
    public static partial void Closing(ILogger logger, string connectionId, string reply);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ConnectionId}: connection lost ({Error})")]
    public static partial void ConnectionLost(ILogger logger, string connectionId, string error);
}
