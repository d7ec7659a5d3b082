using Microsoft.Extensions.Options;

namespace OAuthRelay.Configuration;

/// <summary>
/// Reloads the operator's file when its content changes, polled every <see cref="ConfigurationFileOptions.PollInterval"/>
/// on the relay's clock. Polling the content, not a FileSystemWatcher, sees every way a file is replaced: a Kubernetes
/// ConfigMap swapping its <c>..data</c> link, an edit of a symbolic link's target, a network file system.
/// Only the file's provider is loaded again, so each edit raises one change notification.
/// </summary>
internal sealed partial class ConfigurationFileWatcher(
    IConfiguration configuration,
    ConfigurationFileStatus status,
    IOptions<ConfigurationFileOptions> options,
    TimeProvider time,
    ILogger<ConfigurationFileWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = RelayConfiguration.File(configuration);
        if (file is null) return;
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!file.HasChanged()) continue;
            status.Loading();
            try
            {
                file.Load(); // a file that does not parse keeps the last good values (ConfigurationFileStatus)
            }
            catch (Exception e)
            {
                // A consumer's reload handler failed; the relay keeps running and the next edit is polled as usual.
                LogReloadFailed(e, file.FullPath);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading {Path} failed in a consumer of the configuration")]
    private partial void LogReloadFailed(Exception exception, string path);
}
