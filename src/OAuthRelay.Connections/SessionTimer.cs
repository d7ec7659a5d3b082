namespace OAuthRelay.Connections;

/// <summary>
/// A conversation's read deadline: armed before each read, disarmed after it. Its token also fires on server
/// shutdown, so one catch handles both; <see cref="Fired"/> tells them apart from a client that went away.
/// Only a wait for the client's next command is interrupted: a command being handled, or message data being read,
/// runs to its end, and the shutdown takes effect at the next wait.
/// </summary>
public sealed class SessionTimer : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationToken _shutdown;
    private readonly CancellationTokenRegistration _shutdownRegistration;
    private volatile bool _interruptible = true;

    public SessionTimer(TimeProvider time, CancellationToken shutdown)
    {
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _shutdown = shutdown;
        _shutdownRegistration = shutdown.Register(static state => ((SessionTimer)state!).OnShutdown(), this);
    }

    /// <summary>The deadline passed or the server is shutting down.</summary>
    public bool Fired => _timeout.IsCancellationRequested;

    /// <summary>Starts the clock for the next read.</summary>
    /// <param name="timeout">How long the read may take.</param>
    /// <param name="finishOnShutdown">Let this read complete during a graceful shutdown (a message being received).</param>
    public CancellationToken Arm(TimeSpan timeout, bool finishOnShutdown = false)
    {
        _interruptible = !finishOnShutdown;
        if (_interruptible && _shutdown.IsCancellationRequested) _timeout.Cancel();
        _timeout.CancelAfter(timeout);
        return _timeout.Token;
    }

    /// <summary>Stops the clock: a command is being handled, and a shutdown now waits for the next read.</summary>
    public void Disarm()
    {
        _interruptible = false;
        if (!_timeout.IsCancellationRequested) _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private void OnShutdown()
    {
        if (_interruptible) _timeout.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdownRegistration.DisposeAsync();
        _timeout.Dispose();
    }
}
