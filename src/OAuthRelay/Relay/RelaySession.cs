using System.Diagnostics;
using OAuthRelay.Clients;
using OAuthRelay.Connections;
using OAuthRelay.Observability;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Spool;

namespace OAuthRelay.Relay;

/// <summary>
/// One client connection as the relay sees it: which client it is, what that client may do (MAIL and RCPT are answered
/// from its policy alone), and the hand-off of each message once its content is in. Writes one log line per message.
/// </summary>
internal sealed partial class RelaySession(ClientAuthenticator authenticator, MessageHandoff handoff, RelayMetrics metrics, MessageHistory history, TimeProvider time, ILogger logger, SmtpSessionInfo info, RelayClient? networkClient)
    : ISmtpBackendSession
{
    private static readonly SmtpReply SenderNotAllowed = new(550, "5.7.1", "Sender address not allowed for this client");

    private readonly bool _onTrustedNetwork = networkClient is not null;
    private readonly List<string> _recipients = [];
    private RelayClient? _client = networkClient;
    private SmtpCredentials? _credentials;
    private string? _sender;
    private MailParameters _parameters = MailParameters.None;

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

    /// <summary>MAIL is answered from the client's policy alone; nothing goes upstream before the content is in.</summary>
    public ValueTask<SmtpReply> MailAsync(string reversePath, MailParameters parameters, CancellationToken cancellationToken)
    {
        var reply = Sender(_client!, reversePath, parameters);
        if (reply.IsPositive) (_sender, _parameters) = (reversePath, parameters);
        else Refused("MAIL", reversePath, reply);
        return ValueTask.FromResult(reply);
    }

    private SmtpReply Sender(RelayClient client, string reversePath, MailParameters parameters)
    {
        if (client.UnavailableReason is { } reason) return Unavailable(client, 451, "4.3.0", reason);
        if (!client.Senders.Allows(reversePath))
        {
            LogSenderRefused(info.ConnectionId, client.Name, LogText.Escape(reversePath));
            return SenderNotAllowed;
        }

        if (parameters.DeclaredSize > client.MaxMessageSize) return SmtpReplies.MessageTooLarge;
        if (client.DeliveryMode == DeliveryMode.Queue && !handoff.CanQueue(parameters.DeclaredSize ?? 0)) return MessageHandoff.QueueFull;
        return SmtpReplies.SenderOk;
    }

    public ValueTask<SmtpReply> RcptAsync(string forwardPath, CancellationToken cancellationToken)
    {
        var reply = _recipients.Count >= _client!.MaxRecipients ? SmtpReplies.TooManyRecipients : SmtpReplies.RecipientOk;
        if (reply.IsPositive) _recipients.Add(forwardPath);
        else Refused("RCPT", _sender, reply);
        return ValueTask.FromResult(reply);
    }

    public async ValueTask<SmtpReply> DataAsync(Stream content, CancellationToken cancellationToken)
    {
        var client = _client!;
        var started = Stopwatch.GetTimestamp();
        var envelope = new Envelope(MessageIds.New(time), client.Name, client.OAuth ? client.Account : null, _sender!, [.. _recipients], _parameters.SmtpUtf8, 0, time.GetUtcNow());
        var counted = new SizeLimitedStream(content, client.MaxMessageSize);
        var reply = await handoff.HandOffAsync(envelope, client, _credentials, counted, cancellationToken);
        var duration = Stopwatch.GetElapsedTime(started);
        var (level, outcome) = reply.Code switch
        {
            < 400 => (LogLevel.Information, "accepted"),
            < 500 => (LogLevel.Warning, "refused for now"),
            _ => (LogLevel.Information, "refused"),
        };
        LogMessage(level, envelope.Id, outcome, client.Name, client.Account ?? "-", client.DeliveryMode.ToString(), counted.BytesRead, _recipients.Count, reply.ToString(), (long)duration.TotalMilliseconds);
        metrics.MessageFinished(client.Name, reply.Code, counted.BytesRead, duration);
        history.Record(new MessageRecord(envelope.Received, envelope.Id, client.Name, client.Account ?? "-", client.DeliveryMode.ToString(), counted.BytesRead, _recipients.Count, reply.Code, reply.ToString(), duration));
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

    public ValueTask ResetAsync()
    {
        _recipients.Clear();
        _sender = null;
        _parameters = MailParameters.None;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ResetAsync();

    /// <summary>A temporary refusal: the client's configuration is fine, the running relay cannot serve it until a restart.</summary>
    private SmtpReply Unavailable(RelayClient client, int code, string enhancedCode, string reason)
    {
        LogUnavailable(info.ConnectionId, client.Name, code, reason);
        return new SmtpReply(code, enhancedCode, reason);
    }

    /// <summary>One line per message whose content was taken; a temporary refusal at Warning, like those before DATA.</summary>
    [LoggerMessage(Message = "Message {MessageId} {Outcome} client={Client} account={Account} mode={Mode} size={Size} recipients={Recipients} reply=\"{Reply}\" duration={DurationMs}ms")]
    private partial void LogMessage(LogLevel level, string messageId, string outcome, string client, string account, string mode, long size, int recipients, string reply, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: message refused at {Stage} client={Client} account={Account} sender=<{Sender}> reply=\"{Reply}\"")]
    private partial void LogRefused(string connectionId, string client, string account, string stage, string sender, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: message refused for now at {Stage} client={Client} account={Account} sender=<{Sender}> reply=\"{Reply}\"")]
    private partial void LogRefusedTemporarily(string connectionId, string client, string account, string stage, string sender, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: client {Client} may not send as {Sender} (550 5.7.1)")]
    private partial void LogSenderRefused(string connectionId, string client, string sender);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: client {Client} refused for now ({Code}): {Reason}")]
    private partial void LogUnavailable(string connectionId, string client, int code, string reason);
}
