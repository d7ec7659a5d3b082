namespace OAuthRelay.Connections;

/// <summary>
/// A conversation's read deadline: armed before each read, disarmed after it. Its token also fires on server
/// shutdown, so one catch handles both; <see cref="Fired"/> tells them apart from a client that went away.
/// </summary>
public sealed class SessionTimer : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenRegistration _shutdownRegistration;

    public SessionTimer(TimeProvider time, CancellationToken shutdown)
    {
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _shutdownRegistration = shutdown.Register(static state => ((CancellationTokenSource)state!).Cancel(), _timeout);
    }

    /// <summary>The deadline passed or the server is shutting down.</summary>
    public bool Fired => _timeout.IsCancellationRequested;

    /// <summary>Starts the clock for the next read.</summary>
    public CancellationToken Arm(TimeSpan timeout)
    {
        _timeout.CancelAfter(timeout);
        return _timeout.Token;
    }

    public void Disarm()
    {
        if (!_timeout.IsCancellationRequested) _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdownRegistration.DisposeAsync();
        _timeout.Dispose();
    }
}
