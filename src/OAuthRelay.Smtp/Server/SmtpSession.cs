using Microsoft.Extensions.Logging;
using OAuthRelay.Connections;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Protocol;
using OAuthRelay.Smtp.Transport;

namespace OAuthRelay.Smtp.Server;

/// <summary>
/// One SMTP conversation (RFC 5321 with PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS, AUTH).
/// Owns sequence, syntax, limits and deadlines; asks the backend session for every decision about people and mail.
/// Every command gets an answer: a failure of the backend or of this code is 451 4.3.0 and the session goes on.
/// </summary>
internal sealed partial class SmtpSession : IAsyncDisposable
{
    private readonly SmtpTransport _transport;
    private readonly SmtpListenerSettings _listener;
    private readonly SmtpServerOptions _options;
    private readonly ISmtpBackend _backend;
    private readonly SmtpSessionInfo _info;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;
    private readonly SessionTimer _timer;

    private ISmtpBackendSession? _backendSession;
    private Deadline _loginDeadline = Deadline.None;
    private string? _heloName;
    private bool _extended;
    private bool _authenticated;
    private string? _reversePath;
    private bool _smtpUtf8; // the transaction's MAIL carried SMTPUTF8, so recipients may be non-ASCII (RFC 6531)
    private readonly List<string> _recipients = [];
    private int _authFailures;
    private int _errors;
    private bool _receivingData;

    public SmtpSession(
        SmtpTransport transport,
        SmtpListenerSettings listener,
        SmtpServerOptions options,
        ISmtpBackend backend,
        SmtpSessionInfo info,
        TimeProvider time,
        ILogger logger,
        CancellationToken shutdown)
    {
        _transport = transport;
        _listener = listener;
        _options = options;
        _backend = backend;
        _info = info;
        _time = time;
        _logger = logger;
        _shutdown = shutdown;
        _timer = new SessionTimer(time, shutdown);
    }

    private enum Next
    {
        Continue,
        Close,
    }

    private bool AuthAllowed => _transport.IsSecure || _listener.AllowCleartextAuth;

    private ISmtpBackendSession Backend => _backendSession!;

    public async Task RunAsync()
    {
        try
        {
            // A client that must authenticate has LoginTimeout from connecting to do so, however it spends it.
            _loginDeadline = Deadline.After(_time, _options.LoginTimeout);
            if (_listener.Tls == TlsMode.Implicit && !await StartTlsAsync()) return;
            OpenBackendSession();
            _transport.Write(new SmtpReply(220, null, $"{_options.HostName} ESMTP OAuthRelay ready"));
            while (true)
            {
                var read = await _transport.ReadCommandAsync(_options.MaxCommandLineLength, _timer.Arm(CommandWait()));
                _timer.Disarm();
                if (read.IsClosed) return;
                var next = read.Error is not null ? ReplyError(read.Error, "(unreadable line)") : await HandleGuardedAsync(SmtpCommand.Parse(read.Line!));
                if (next == Next.Close) break;
            }

            await _transport.FlushAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (_timer.Fired)
        {
            var reply = _shutdown.IsCancellationRequested ? SmtpReplies.ShuttingDown
                : _receivingData ? SmtpReplies.DataTimeout
                : _loginDeadline.HasPassed(_time) ? SmtpReplies.LoginTimeout
                : SmtpReplies.IdleTimeout;
            await SayGoodbyeAsync(reply);
        }
        catch (Exception e) when (_transport.Broken)
        {
            // The client went away; there is no one left to answer.
            ConnectionLog.ConnectionLost(_logger, _info.ConnectionId, e.GetType().Name);
        }
        catch (Exception e)
        {
            LogSessionFailed(e, _info.ConnectionId);
            await SayGoodbyeAsync(SmtpReplies.ClosingOnLocalError);
        }
    }

    private void OpenBackendSession()
    {
        _backendSession = _backend.OpenSession(_info with { IsSecure = _transport.IsSecure });
        if (!_backendSession.RequiresAuthentication) _loginDeadline = Deadline.None;
    }

    /// <summary>How long to wait for the next command: the idle timeout, cut short by the login deadline.</summary>
    private TimeSpan CommandWait() => _loginDeadline.Limit(_options.IdleTimeout, _time);

    /// <summary>
    /// Handles one command so that it is always answered. An exception that is not the connection failing (a
    /// backend's trouble, a bug) becomes 451 4.3.0 with one error line in the log, and the session goes on.
    /// </summary>
    private async Task<Next> HandleGuardedAsync(SmtpCommand command)
    {
        try
        {
            return await HandleAsync(command);
        }
        catch (Exception e) when (!_transport.Broken && !_timer.Fired)
        {
            LogCommandFailed(e, _info.ConnectionId, command.Verb);
            await ResetTransactionAsync();
            _transport.Write(SmtpReplies.LocalError);
            return Next.Continue;
        }
    }

    private async Task<Next> HandleAsync(SmtpCommand command) => command.Verb switch
    {
        "EHLO" => await HeloAsync(command, extended: true),
        "HELO" => await HeloAsync(command, extended: false),
        "STARTTLS" => await StartTlsCommandAsync(command),
        "AUTH" => await AuthAsync(command),
        "MAIL" => await MailAsync(command),
        "RCPT" => await RcptAsync(command),
        "DATA" => await DataAsync(command),
        "RSET" => await RsetAsync(command),
        "NOOP" => Reply(SmtpReplies.Ok),
        "QUIT" => Quit(),
        "VRFY" => command.Arguments.Length == 0 ? ReplyError(SmtpReplies.SyntaxError("VRFY needs an argument"), command.Verb) : Reply(SmtpReplies.CannotVerify),
        "HELP" => Reply(new SmtpReply(214, "2.0.0", "Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP VRFY HELP QUIT")),
        "EXPN" or "TURN" or "ETRN" or "BDAT" => ReplyError(SmtpReplies.CommandNotImplemented, command.Verb),
        _ => ReplyError(SmtpReplies.CommandUnrecognized, "(unrecognized)"),
    };

    private async Task<Next> HeloAsync(SmtpCommand command, bool extended)
    {
        if (command.Arguments.Length == 0)
            return ReplyError(SmtpReplies.SyntaxError($"{command.Verb} needs a domain or address literal"), command.Verb);
        await ResetTransactionAsync();
        _heloName = command.Arguments;
        _extended = extended;
        var greeting = $"{_options.HostName} Hello {_heloName} [{_info.RemoteAddress}]";
        if (!extended) return Reply(new SmtpReply(250, null, greeting));

        List<string> lines = [greeting, "PIPELINING", $"SIZE {_options.MaxMessageSize}", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"];
        if (_listener.TlsAvailable && !_transport.IsSecure) lines.Add("STARTTLS");
        if (AuthAllowed) lines.Add("AUTH PLAIN LOGIN");
        lines.Add("HELP");
        return Reply(new SmtpReply(250, null, lines));
    }

    private async Task<Next> StartTlsCommandAsync(SmtpCommand command)
    {
        if (command.Arguments.Length > 0) return ReplyError(SmtpReplies.SyntaxError("STARTTLS takes no arguments"), command.Verb);
        if (_transport.IsSecure) return ReplyError(SmtpReplies.AlreadyTls, command.Verb);
        if (!_listener.TlsAvailable) return ReplyError(SmtpReplies.CommandNotImplemented, command.Verb);

        var discarded = _transport.DiscardBufferedInput();
        if (discarded > 0) ConnectionLog.PipelinedAfterStartTls(_logger, _info.ConnectionId, discarded);
        _transport.Write(SmtpReplies.ReadyToStartTls);
        if (!await StartTlsAsync()) return Next.Close;

        // RFC 3207 4.2: forget everything learnt before TLS, including the backend's view of the client.
        _heloName = null;
        _extended = false;
        _authenticated = false;
        await ResetTransactionAsync();
        await Backend.DisposeAsync();
        OpenBackendSession();
        return Next.Continue;
    }

    private async Task<bool> StartTlsAsync()
    {
        var established = await _transport.TryUpgradeToTlsAsync(_listener.Certificate!, _logger, _info.ConnectionId, _timer.Arm(CommandWait()));
        _timer.Disarm();
        return established;
    }

    private async Task<Next> AuthAsync(SmtpCommand command)
    {
        if (_heloName is null || !_extended) return ReplyError(SmtpReplies.SendHeloFirst, command.Verb);
        if (_authenticated) return ReplyError(SmtpReplies.AlreadyAuthenticated, command.Verb);
        if (_reversePath is not null) return ReplyError(SmtpReplies.AuthDuringTransaction, command.Verb);

        var words = command.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 2) return ReplyError(SmtpReplies.SyntaxError("AUTH mechanism [initial-response]"), command.Verb);
        var mechanism = words[0].ToUpperInvariant();
        if (!SaslExchange.Supports(mechanism)) return ReplyError(SmtpReplies.UnrecognizedMechanism, command.Verb);
        if (!AuthAllowed) return ReplyError(SmtpReplies.EncryptionRequiredForAuth, command.Verb);

        var outcome = await SaslExchange.RunAsync(mechanism, words.Length == 2 ? words[1] : null, ChallengeAsync);
        if (outcome.ConnectionClosed) return Next.Close;
        if (outcome.Error is not null) return ReplyError(outcome.Error, command.Verb);

        // A command in progress is finished during a shutdown: the backend gets no shutdown token.
        var credentials = outcome.Credentials!;
        var reply = await Backend.AuthenticateAsync(credentials, CancellationToken.None);
        if (reply.Code == 235)
        {
            _authenticated = true;
            _loginDeadline = Deadline.None;
            LogAuthenticated(_info.ConnectionId, LogText.Escape(credentials.UserName), mechanism);
            return Reply(reply);
        }

        // 535 (wrong credentials) and 421 (the backend refuses this client for now) slow a guesser down.
        if (reply.Code is not (535 or 421)) return Reply(reply);
        _authFailures++;
        LogAuthFailed(_info.ConnectionId, _info.RemoteAddress?.ToString(), LogText.Escape(credentials.UserName), _authFailures, reply.ToString());
        await DelayAfterFailureAsync();
        _transport.Write(reply);
        if (reply.Code == 421) return Next.Close;
        if (_authFailures < _options.MaxAuthFailures) return Next.Continue;
        _transport.Write(SmtpReplies.TooManyAuthFailures);
        return Next.Close;
    }

    /// <summary>The n-th failure waits n times the base delay. A shutdown cuts the wait short; the answer is still given.</summary>
    private async Task DelayAfterFailureAsync()
    {
        try
        {
            await Task.Delay(_options.AuthFailureDelay * _authFailures, _time, _shutdown);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
    }

    private async ValueTask<LineReadResult> ChallengeAsync(string base64Challenge)
    {
        _transport.Write(new SmtpReply(334, null, base64Challenge));
        var read = await _transport.ReadCommandAsync(_options.MaxCommandLineLength, _timer.Arm(CommandWait()));
        _timer.Disarm();
        return read;
    }

    private async Task<Next> MailAsync(SmtpCommand command)
    {
        if (_heloName is null) return ReplyError(SmtpReplies.SendHeloFirst, command.Verb);
        if (_listener.RequireTls && !_transport.IsSecure) return ReplyError(SmtpReplies.TlsRequired, command.Verb);
        if (_reversePath is not null) return ReplyError(SmtpReplies.SenderAlreadySpecified, command.Verb);
        if (Backend.RequiresAuthentication && !_authenticated) return ReplyError(SmtpReplies.AuthenticationRequired, command.Verb);

        var path = PathParser.Parse(command.Arguments, "FROM", allowNull: true);
        if (path.Error is not null) return ReplyError(path.Error, command.Verb);
        if (path.Parameters.Count > 0 && !_extended) return ReplyError(SmtpReplies.UnsupportedParameter, command.Verb);
        var (parameters, error) = PathParser.ParseMailParameters(path.Parameters);
        if (error is not null) return ReplyError(error, command.Verb);
        if (parameters.DeclaredSize > _options.MaxMessageSize) return Reply(SmtpReplies.MessageTooLarge);
        if (!parameters.SmtpUtf8 && !PathParser.IsAscii(path.Address)) return ReplyError(SmtpReplies.NonAsciiAddressWithoutSmtpUtf8, command.Verb);

        var reply = await Backend.MailAsync(path.Address, parameters, CancellationToken.None);
        if (reply.IsPositive) (_reversePath, _smtpUtf8) = (path.Address, parameters.SmtpUtf8);
        return Reply(reply);
    }

    private async Task<Next> RcptAsync(SmtpCommand command)
    {
        if (_reversePath is null) return ReplyError(SmtpReplies.NeedMailFirst, command.Verb);
        if (_recipients.Count >= _options.MaxRecipients) return Reply(SmtpReplies.TooManyRecipients);

        var path = PathParser.Parse(command.Arguments, "TO", allowNull: false);
        if (path.Error is not null) return ReplyError(path.Error, command.Verb);
        if (path.Parameters.Count > 0) return ReplyError(SmtpReplies.UnsupportedParameter, command.Verb);
        if (!_smtpUtf8 && !PathParser.IsAscii(path.Address)) return ReplyError(SmtpReplies.NonAsciiAddressWithoutSmtpUtf8, command.Verb);

        var reply = await Backend.RcptAsync(path.Address, CancellationToken.None);
        if (reply.IsPositive) _recipients.Add(path.Address);
        return Reply(reply);
    }

    private async Task<Next> DataAsync(SmtpCommand command)
    {
        if (command.Arguments.Length > 0) return ReplyError(SmtpReplies.SyntaxError("DATA takes no arguments"), command.Verb);
        if (_reversePath is null) return ReplyError(SmtpReplies.NeedMailFirst, command.Verb);
        if (_recipients.Count == 0) return ReplyError(SmtpReplies.NeedRcptFirst, command.Verb);

        _transport.Write(new SmtpReply(354, null, "Start mail input; end with <CRLF>.<CRLF>"));
        await _transport.FlushAsync(_shutdown);

        // A message under way is finished during a graceful shutdown (its reply is the upstream's verdict);
        // the shutdown closes the connection at the next command.
        var transfer = new DataTransferLimit(_options.DataTimeout, _options.MinDataRate, _time);
        MessageDataStream? content = null;
        content = new MessageDataStream(_transport.Input, _options.MaxMessageSize, () => _timer.Arm(transfer.NextRead(content!.Position), finishOnShutdown: true));
        _receivingData = true;
        SmtpReply reply;
        try
        {
            reply = await Backend.DataAsync(content, CancellationToken.None);
        }
        catch (MessageTooLargeException)
        {
            reply = SmtpReplies.MessageTooLarge;
        }
        catch (Exception) when (content.TransportFailed)
        {
            // Reading the message from the client failed: the conversation cannot go on.
            if (!_timer.Fired) _transport.MarkBroken();
            throw;
        }
        catch (Exception e)
        {
            // The backend's own trouble (disk full, a bug): the client may try again, the connection goes on.
            LogCommandFailed(e, _info.ConnectionId, command.Verb);
            reply = SmtpReplies.LocalError;
        }

        if (!content.IsComplete) await content.DrainAsync();
        _timer.Disarm();
        _receivingData = false;
        if (content.IsTooLarge) reply = SmtpReplies.MessageTooLarge;
        await ResetTransactionAsync();
        return Reply(reply);
    }

    private async Task<Next> RsetAsync(SmtpCommand command)
    {
        if (command.Arguments.Length > 0) return ReplyError(SmtpReplies.SyntaxError("RSET takes no arguments"), command.Verb);
        await ResetTransactionAsync();
        return Reply(SmtpReplies.ResetDone);
    }

    private Next Quit()
    {
        _transport.Write(new SmtpReply(221, "2.0.0", $"{_options.HostName} closing connection"));
        return Next.Close;
    }

    /// <summary>Forgets the transaction here and in the backend; a backend that fails to forget is logged, not fatal.</summary>
    private async ValueTask ResetTransactionAsync()
    {
        _reversePath = null;
        _smtpUtf8 = false;
        _recipients.Clear();
        try
        {
            if (_backendSession is not null) await _backendSession.ResetAsync();
        }
        catch (Exception e) when (!_transport.Broken)
        {
            LogCommandFailed(e, _info.ConnectionId, "(reset)");
        }
    }

    private Next Reply(SmtpReply reply)
    {
        _transport.Write(reply);
        return Next.Continue;
    }

    /// <summary>Answers a protocol error and closes the connection once the client has made too many.</summary>
    private Next ReplyError(SmtpReply reply, string verb)
    {
        LogProtocolError(_info.ConnectionId, _info.RemoteAddress?.ToString(), verb, reply.ToString());
        _transport.Write(reply);
        if (++_errors < _options.MaxErrors) return Next.Continue;
        _transport.Write(SmtpReplies.TooManyErrors);
        return Next.Close;
    }

    private async Task SayGoodbyeAsync(SmtpReply reply)
    {
        ConnectionLog.Closing(_logger, _info.ConnectionId, reply.ToString());
        _transport.Write(reply);
        await _transport.FlushBeforeCloseAsync(_time);
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync();
        try
        {
            if (_backendSession is not null) await _backendSession.DisposeAsync();
        }
        catch (Exception e)
        {
            LogCommandFailed(e, _info.ConnectionId, "(end of session)");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId} {Remote}: {Verb} answered {Reply}")]
    private partial void LogProtocolError(string connectionId, string? remote, string verb, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId} {Remote}: AUTH failed for user {UserName} (failure {Count} on this connection): {Reply}")]
    private partial void LogAuthFailed(string connectionId, string? remote, string userName, int count, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: authenticated as {UserName} with {Mechanism}")]
    private partial void LogAuthenticated(string connectionId, string userName, string mechanism);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId}: {Verb} failed inside the relay and was answered 451 4.3.0")]
    private partial void LogCommandFailed(Exception exception, string connectionId, string verb);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId}: the session failed inside the relay and was closed")]
    private partial void LogSessionFailed(Exception exception, string connectionId);
}
