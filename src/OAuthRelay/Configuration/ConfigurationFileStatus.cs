namespace OAuthRelay.Configuration;

/// <summary>
/// Whether the last (re)load of the configuration file succeeded. A file that fails to parse on reload is ignored
/// instead of emptying the configuration, and consumers that reload keep their last good state.
/// </summary>
public sealed class ConfigurationFileStatus
{
    private volatile string? _error;
    private volatile bool _started;

    /// <summary>After start-up, parse errors are reported here rather than thrown; before it they stop the start.</summary>
    public void Started() => _started = true;

    /// <summary>
    /// The error of the latest load of the file, or null when it succeeded. Consumers read it in their change
    /// handler: the provider records a failure just before it notifies them.
    /// </summary>
    public string? LastError => _error;

    /// <summary>Called before each reload of the file.</summary>
    internal void Loading() => _error = null;

    internal bool Record(Exception exception)
    {
        _error = RelayConfiguration.DescribeLoadFailure(exception);
        return _started;
    }
}
