using OAuthRelay.Delivery;
using OAuthRelay.Listeners;

namespace OAuthRelay.Hosting;

/// <summary>Says in one line, once the listeners are bound, where the relay listens and where mail goes.</summary>
public sealed partial class StartupReport(
    IHostApplicationLifetime lifetime,
    MailListeners listeners,
    IMessageTransport delivery,
    ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => LogReady(string.Join(", ", listeners.Describe()), delivery.Describe()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuthRelay ready, listening on {Listeners}; delivery: {Delivery}")]
    private partial void LogReady(string listeners, string delivery);
}
