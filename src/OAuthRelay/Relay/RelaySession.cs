using System.Diagnostics;
using OAuthRelay.Clients;
using OAuthRelay.Connections;
using OAuthRelay.Delivery;
using OAuthRelay.Observability;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;

namespace OAuthRelay.Relay;

/// <summary>
/// One client connection as the relay sees it: which client it is, what that client may do, and the delivery
/// transaction of the message under way. Writes one structured log line per message.
/// </summary>
internal sealed partial class RelaySession(ClientAuthenticator authenticator, IMessageDelivery delivery, RelayMetrics metrics, TimeProvider time, ILogger logger, SmtpSessionInfo info, RelayClient? networkClient)
    : ISmtpBackendSession
{
    private static readonly SmtpReply SenderNotAllowed = new(550, "5.7.1", "Sender address not allowed for this client");

    private readonly bool _onTrustedNetwork = networkClient is not null;
    private RelayClient? _client = networkClient;
    private SmtpCredentials? _credentials;
    private IDeliveryTransaction? _transaction;
    private int _recipients;
    private string? _sender;

    /// <summary>Clients on a trusted network may send without AUTH; everyone else authenticates.</summary>
    public bool RequiresAuthentication => !_onTrustedNetwork;

    public async ValueTask<SmtpReply> AuthenticateAsync(SmtpCredentials credentials, CancellationToken cancellationToken)
    {
        var login = await authenticator.AuthenticateAsync(info.RemoteAddress, credentials.UserName, credentials.Password);
        switch (login.Outcome)
        {
            case ClientLoginOutcome.Accepted when login.Client!.UnavailableReason is { } reason:
                return Unavailable(login.Client, 454, "4.7.0", reason);
            case ClientLoginOutcome.Accepted:
                _client = login.Client;
                _credentials = credentials;
                return SmtpReplies.AuthSucceeded;
            case ClientLoginOutcome.Busy:
                return new SmtpReply(454, "4.7.0", login.Reason);
            case ClientLoginOutcome.Blocked:
                return new SmtpReply(421, "4.7.0", login.Reason);
            default:
                return SmtpReplies.InvalidCredentials;
        }
    }

    public async ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken)
    {
        var reply = await StartTransactionAsync(_client!, reversePath, parameters, cancellationToken);
        if (!reply.IsPositive) Refused("MAIL", reversePath, reply);
        return reply;
    }

    private async ValueTask<SmtpReply> StartTransactionAsync(RelayClient client, string reversePath, MailParameters parameters, CancellationToken cancellationToken)
    {
        if (client.UnavailableReason is { } reason) return Unavailable(client, 451, "4.3.0", reason);
        if (!client.Senders.Allows(reversePath))
        {
            LogSenderRefused(info.ConnectionId, client.Name, LogText.Escape(reversePath));
            return SenderNotAllowed;
        }

        if (parameters.DeclaredSize > client.MaxMessageSize) return SmtpReplies.MessageTooLarge;
        var transaction = delivery.Begin(new DeliveryRoute(client, _credentials));
        var reply = await transaction.MailAsync(reversePath, parameters, cancellationToken);
        if (reply.IsPositive) (_transaction, _sender) = (transaction, reversePath);
        else await transaction.DisposeAsync();
        return reply;
    }

    public async ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken)
    {
        var reply = _recipients >= _client!.MaxRecipients ? SmtpReplies.TooManyRecipients : await _transaction!.RcptAsync(forwardPath, cancellationToken);
        if (reply.IsPositive) _recipients++;
        else Refused("RCPT", _sender, reply);
        return reply;
    }

    public async ValueTask<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken)
    {
        var messageId = MessageIds.New(time);
        var started = Stopwatch.GetTimestamp();
        var counted = new SizeLimitedStream(content, _client!.MaxMessageSize);
        var reply = await _transaction!.DataAsync(messageId, counted, cancellationToken);
        var duration = Stopwatch.GetElapsedTime(started);
        LogMessage(messageId, _client.Name, _client.Account ?? "-", counted.BytesRead, _recipients, reply.ToString(), (long)duration.TotalMilliseconds);
        metrics.MessageFinished(_client.Name, reply.Code, counted.BytesRead, duration);
        return reply;
    }

    /// <summary>
    /// One line and one count for a message (or recipient) refused before its content: temporary refusals at Warning,
    /// with the cause logged by whoever met it; a refusal is never only a reply the client saw.
    /// </summary>
    private void Refused(string stage, string? sender, SmtpReply reply)
    {
        var client = _client!;
        if (reply.Code < 500) LogRefusedTemporarily(info.ConnectionId, client.Name, client.Account ?? "-", stage, LogText.Escape(sender), reply.ToString());
        else LogRefused(info.ConnectionId, client.Name, client.Account ?? "-", stage, LogText.Escape(sender), reply.ToString());
        metrics.MessageRefused(client.Name, stage, reply.Code);
    }

    public async ValueTask ResetAsync()
    {
        _recipients = 0;
        _sender = null;
        if (_transaction is { } transaction)
        {
            _transaction = null;
            await transaction.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => ResetAsync();

    /// <summary>A temporary refusal: the client's configuration is fine, the running relay cannot serve it until a restart.</summary>
    private SmtpReply Unavailable(RelayClient client, int code, string enhancedCode, string reason)
    {
        LogUnavailable(info.ConnectionId, client.Name, code, reason);
        return new SmtpReply(code, enhancedCode, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} client={Client} account={Account} size={Size} recipients={Recipients} reply=\"{Reply}\" duration={DurationMs}ms")]
    private partial void LogMessage(string messageId, string client, string account, long size, int recipients, string reply, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: message refused at {Stage} client={Client} account={Account} sender=<{Sender}> reply=\"{Reply}\"")]
    private partial void LogRefused(string connectionId, string client, string account, string stage, string sender, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: message refused for now at {Stage} client={Client} account={Account} sender=<{Sender}> reply=\"{Reply}\"")]
    private partial void LogRefusedTemporarily(string connectionId, string client, string account, string stage, string sender, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: client {Client} may not send as {Sender} (550 5.7.1)")]
    private partial void LogSenderRefused(string connectionId, string client, string sender);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: client {Client} refused for now ({Code}): {Reason}")]
    private partial void LogUnavailable(string connectionId, string client, int code, string reason);
}
