using Microsoft.Extensions.Logging;
using OAuthRelay.Connections;
using OAuthRelay.Mailbox.Backend;

namespace OAuthRelay.Mailbox.Server;

/// <summary>
/// What the IMAP and POP3 conversations before login share: implicit TLS and STARTTLS, the deadlines (the whole
/// login phase, and each command that needs more than one read), the failed login delay and cap, the error cap, and
/// handing the login to the backend. Returns the upstream to splice to, or null when the conversation ended without
/// a login.
/// </summary>
internal abstract partial class FrontEndSession : IAsyncDisposable
{
    private readonly SessionTimer _timer;
    private readonly CancellationToken _shutdown;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMailboxBackend _backend;
    private Deadline _loginDeadline = Deadline.None;
    private Deadline _commandDeadline = Deadline.None;
    private IUpstreamMailbox? _upstream;
    private int _authFailures;
    private int _errors;

    protected FrontEndSession(LineTransport transport, MailboxListenerSettings listener, MailboxServerOptions options, IMailboxBackend backend,
        MailboxSessionInfo info, TimeProvider time, ILogger logger, CancellationToken shutdown)
    {
        Transport = transport;
        Listener = listener;
        Options = options;
        _backend = backend;
        Info = info;
        _logger = logger;
        _time = time;
        _shutdown = shutdown;
        _timer = new SessionTimer(time, shutdown);
    }

    protected enum Next
    {
        Continue,
        Close,
        LoggedIn,
    }

    /// <summary>Why the relay ends a conversation on its own, for the last line the client gets.</summary>
    protected enum Ending
    {
        ShuttingDown,
        LoginTimeout,
        CommandTimeout,
        LocalError,
    }

    protected LineTransport Transport { get; }

    protected MailboxListenerSettings Listener { get; }

    protected MailboxServerOptions Options { get; }

    protected MailboxSessionInfo Info { get; }

    /// <summary>Cleartext passwords only over TLS, unless the listener allows them (by default: on loopback).</summary>
    protected bool LoginAllowed => Transport.IsSecure || Listener.AllowCleartextLogin;

    protected bool StartTlsAvailable => Listener.TlsAvailable && !Transport.IsSecure;

    public async Task<IUpstreamMailbox?> RunAsync()
    {
        try
        {
            // The whole conversation before login has LoginTimeout, however the client spends it.
            _loginDeadline = Deadline.After(_time, Options.LoginTimeout);
            if (Listener.Tls == TlsMode.Implicit && !await UpgradeAsync()) return null;
            Greet();
            while (true)
            {
                _commandDeadline = Deadline.None;
                var next = await HandleNextAsync();
                if (next == Next.Continue) continue;
                await Transport.FlushAsync(_shutdown);
                return TakeUpstream(next);
            }
        }
        catch (OperationCanceledException) when (_timer.Fired)
        {
            await SayGoodbyeAsync(Goodbye(_shutdown.IsCancellationRequested ? Ending.ShuttingDown
                : _loginDeadline.HasPassed(_time) ? Ending.LoginTimeout
                : Ending.CommandTimeout));
        }
        catch (Exception e) when (Transport.Broken)
        {
            ConnectionLog.ConnectionLost(_logger, Info.ConnectionId, e.GetType().Name);
        }
        catch (Exception e)
        {
            LogSessionFailed(e, Info.ConnectionId);
            await SayGoodbyeAsync(Goodbye(Ending.LocalError));
        }

        if (_upstream is not null) await _upstream.DisposeAsync();
        return null;
    }

    private IUpstreamMailbox? TakeUpstream(Next next)
    {
        var upstream = _upstream;
        _upstream = null;
        return next == Next.LoggedIn ? upstream : null;
    }

    /// <summary>Writes the greeting (after TLS on an implicit-TLS listener).</summary>
    protected abstract void Greet();

    /// <summary>Reads and answers one command.</summary>
    protected abstract Task<Next> HandleNextAsync();

    /// <summary>The last line before the relay closes the connection on its own.</summary>
    protected abstract string Goodbye(Ending ending);

    protected void WriteLine(string line) => Transport.WriteText(line + "\r\n");

    /// <summary>
    /// The command under way needs more reads (a literal, a SASL response): from now on it must be complete within
    /// CommandTimeout, however slowly the client sends.
    /// </summary>
    protected void StartCommandClock()
    {
        if (_commandDeadline == Deadline.None) _commandDeadline = Deadline.After(_time, Options.CommandTimeout);
    }

    protected async ValueTask<TextLine> ReadLineAsync()
    {
        var line = await Transport.ReadLineAsync(Options.MaxLineLength, _timer.Arm(ReadWait()));
        _timer.Disarm();
        return line;
    }

    protected async ValueTask<byte[]?> ReadBytesAsync(int count)
    {
        var bytes = await Transport.ReadBytesAsync(count, _timer.Arm(ReadWait()));
        _timer.Disarm();
        return bytes;
    }

    /// <summary>The time the next read may take: what is left of the login phase, or of the command if less.</summary>
    private TimeSpan ReadWait() => _commandDeadline.Limit(_loginDeadline.Limit(Options.LoginTimeout, _time), _time);

    /// <summary>Counts a protocol error; true when the connection has had too many and must close.</summary>
    protected bool TooManyErrors(string command, string reply)
    {
        LogProtocolError(Info.ConnectionId, Info.RemoteEndPoint?.ToString(), command, reply);
        return ++_errors >= Options.MaxErrors;
    }

    /// <summary>
    /// Answers STARTTLS: drops anything pipelined behind it (CVE-2011-0411), writes <paramref name="ready"/>, and
    /// runs the handshake. False when the handshake failed and the connection must close.
    /// </summary>
    protected async Task<bool> StartTlsAsync(string ready)
    {
        var discarded = Transport.DiscardBufferedInput();
        if (discarded > 0) ConnectionLog.PipelinedAfterStartTls(_logger, Info.ConnectionId, discarded);
        WriteLine(ready);
        return await UpgradeAsync();
    }

    private async Task<bool> UpgradeAsync()
    {
        var established = await Transport.TryUpgradeToTlsAsync(Listener.Certificate!, _logger, Info.ConnectionId, _timer.Arm(ReadWait()));
        _timer.Disarm();
        return established;
    }

    /// <summary>After this many failed logins the answer to the last one is followed by closing the connection.</summary>
    protected bool AuthFailuresExhausted => _authFailures >= Options.MaxAuthFailures;

    /// <summary>
    /// Hands a login to the backend. A failure is answered only after a delay that grows with each failure on the
    /// connection, so that guessing passwords is slow. The backend failing is answered like any other outcome.
    /// </summary>
    protected async Task<MailboxLogin> LoginAsync(string userName, string password, string mechanism)
    {
        MailboxLogin login;
        try
        {
            // A login under way is finished during a shutdown: the backend gets no shutdown token.
            login = await _backend.LoginAsync(Info with { IsSecure = Transport.IsSecure }, userName, password, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogLoginCrashed(e, Info.ConnectionId, LogText.Escape(userName));
            return MailboxLogin.Failed();
        }

        switch (login.Outcome)
        {
            case MailboxLoginOutcome.Succeeded:
                _upstream = login.Upstream;
                LogLoggedIn(Info.ConnectionId, LogText.Escape(userName), mechanism, login.Upstream!.Account);
                break;
            case MailboxLoginOutcome.BadCredentials or MailboxLoginOutcome.Refused:
                _authFailures++;
                LogLoginFailed(Info.ConnectionId, Info.RemoteEndPoint?.ToString(), LogText.Escape(userName), _authFailures, login.Text);
                await DelayAfterFailureAsync();
                break;
            default:
                LogLoginUnavailable(Info.ConnectionId, LogText.Escape(userName), login.Text);
                break;
        }

        return login;
    }

    /// <summary>The n-th failure waits n times the base delay. A shutdown cuts the wait short; the answer is still given.</summary>
    private async Task DelayAfterFailureAsync()
    {
        try
        {
            await Task.Delay(Options.AuthFailureDelay * _authFailures, _time, _shutdown);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
    }

    private async Task SayGoodbyeAsync(string line)
    {
        ConnectionLog.Closing(_logger, Info.ConnectionId, line);
        WriteLine(line);
        await Transport.FlushBeforeCloseAsync(_time);
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId} {Remote}: {Command} answered {Reply}")]
    private partial void LogProtocolError(string connectionId, string? remote, string command, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId} {Remote}: login failed for user {UserName} (failure {Count} on this connection): {Reason}")]
    private partial void LogLoginFailed(string connectionId, string? remote, string userName, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ConnectionId}: login of {UserName} answered as temporarily unavailable: {Reason}")]
    private partial void LogLoginUnavailable(string connectionId, string userName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ConnectionId}: {UserName} logged in with {Mechanism}, spliced to {Upstream}")]
    private partial void LogLoggedIn(string connectionId, string userName, string mechanism, string upstream);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId}: the login of {UserName} failed inside the relay")]
    private partial void LogLoginCrashed(Exception exception, string connectionId, string userName);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ConnectionId}: the session failed inside the relay and was closed")]
    private partial void LogSessionFailed(Exception exception, string connectionId);
}
