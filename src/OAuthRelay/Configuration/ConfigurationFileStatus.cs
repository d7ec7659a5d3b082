namespace OAuthRelay.Configuration;

/// <summary>
/// Whether the last (re)load of the configuration file succeeded. A file that fails to parse on reload is ignored
/// instead of emptying the configuration, and consumers that reload keep their last good state.
/// </summary>
public sealed class ConfigurationFileStatus
{
    private string? _error;
    private volatile bool _started;

    /// <summary>After start-up, parse errors are reported here rather than thrown; before it they stop the start.</summary>
    public void Started() => _started = true;

    internal bool Record(Exception exception)
    {
        _error = exception.InnerException?.Message ?? exception.Message;
        return _started;
    }

    /// <summary>
    /// The error of the load that raised the current change notification, if it failed. The provider records a
    /// failure just before notifying, and a success records nothing, so taking (and clearing) it on each
    /// notification tells them apart.
    /// </summary>
    public string? TakeError() => Interlocked.Exchange(ref _error, null);
}
