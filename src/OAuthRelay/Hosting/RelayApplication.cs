using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OAuthRelay.Clients;
using OAuthRelay.Configuration;
using OAuthRelay.Connections;
using OAuthRelay.Delivery;
using OAuthRelay.Delivery.Graph;
using OAuthRelay.Listeners;
using OAuthRelay.Mailbox.Backend;
using OAuthRelay.Mailbox.Server;
using OAuthRelay.MailboxProxy;
using OAuthRelay.Observability;
using OAuthRelay.OperatorConsole;
using OAuthRelay.Queue;
using OAuthRelay.Relay;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Smtp.Server;
using OAuthRelay.Spool;
using OAuthRelay.State;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Hosting;

/// <summary>Composes the relay: configuration, services and Kestrel listeners. Used by the CLI and, with overrides, by tests.</summary>
public static class RelayApplication
{
    /// <param name="configFile">The operator's JSON file; reloaded when its content changes.</param>
    /// <param name="overrides">Settings laid over the file (tests).</param>
    /// <param name="configureServices">Service replacements (tests: a fake clock).</param>
    public static WebApplication Build(string? configFile, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        // The content root is the application's folder, not the working directory: the host watches its content root
        // recursively for appsettings.json, and the working directory is where spool and capture files come and go.
        // Configured relative paths still resolve from the working directory.
        // The application is this assembly, whoever hosts it (tests too): the console's pages are found in it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, ApplicationName = typeof(RelayApplication).Assembly.GetName().Name });
        var fileStatus = new ConfigurationFileStatus();
        builder.Configuration.AddRelaySources(configFile, overrides, fileStatus);

        // Under systemd (Type=notify, journal log levels) or as a Windows service; no effect otherwise.
        builder.Host.UseSystemd();
        builder.Host.UseWindowsService();

        builder.Logging.ClearProviders();
        if (builder.Configuration["Logging:Format"] is "json")
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        var services = builder.Services;
        var configuration = builder.Configuration;
        services.Configure<SmtpServerOptions>(configuration.GetSection("Smtp"));
        services.Configure<MailboxServerOptions>(configuration.GetSection("Mailbox"));
        services.Configure<Dictionary<string, ListenerOptions>>(configuration.GetSection("Listeners"));
        services.Configure<Dictionary<string, ClientOptions>>(configuration.GetSection("Clients"));
        services.Configure<RelayOptions>(configuration.GetSection("Relay"));
        services.Configure<DeliveryOptions>(configuration.GetSection("Delivery"));
        services.Configure<AdminOptions>(configuration.GetSection("Admin"));
        services.Configure<UpstreamOptions>(configuration.GetSection("Upstream"));
        services.Configure<SpoolOptions>(configuration.GetSection("Spool"));
        services.Configure<QueueOptions>(configuration.GetSection("Queue"));
        services.Configure<ConfigurationFileOptions>(configuration.GetSection("Configuration"));
        services.AddSingleton(fileStatus);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var limits = sp.GetRequiredService<IOptions<SmtpServerOptions>>().Value;
            var listeners = sp.GetRequiredService<IOptions<Dictionary<string, ListenerOptions>>>().Value;
            return new ConnectionLimiter(limits.MaxConnections, limits.MaxConnectionsPerClient, ListenerOptions.ConnectionLimits(listeners, limits.MaxConnections));
        });
        services.AddSingleton<CertificateProvider>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value
            .ClientRules(sp.GetRequiredService<TokenService>().AccountNames.ToHashSet(StringComparer.OrdinalIgnoreCase)));
        services.AddSingleton<ClientRegistry>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<MessageSpool>();
        services.AddSingleton<UpstreamCertificateValidator>();
        services.AddSingleton<UpstreamLogin>();
        services.AddSingleton<UpstreamConnector>();
        services.AddSingleton<MailboxUpstreamConnector>();
        services.AddSingleton<IUpstreamLoginProbe>(sp => sp.GetRequiredService<UpstreamConnector>());
        services.AddSingleton<IUpstreamLoginProbe>(sp => new MailboxLoginProbe(MailProtocol.Imap, sp.GetRequiredService<MailboxUpstreamConnector>()));
        services.AddSingleton<IUpstreamLoginProbe>(sp => new MailboxLoginProbe(MailProtocol.Pop3, sp.GetRequiredService<MailboxUpstreamConnector>()));
        services.AddHostedService<UpstreamRefusalProbe>();
        services.AddSingleton<IMailboxBackend, MailboxProxyBackend>();
        services.AddSingleton<UpstreamSmtpPool>();
        services.AddSingleton<IMessageTransport>(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.Mode == DeliveryDestination.Upstream
            ? ActivatorUtilities.CreateInstance<SmtpMessageTransport>(sp)
            : ActivatorUtilities.CreateInstance<CaptureTransport>(sp));
        services.AddGraphTransport();
        services.AddSingleton<DeliveryTransports>();
        services.AddSingleton<MailboxRateLimiter>();
        services.AddSingleton<PassThroughDelivery>();
        services.AddSingleton<QueueStore>();
        services.AddSingleton<QueueManager>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueManager>());
        services.AddSingleton<MessageHandoff>();
        services.AddSingleton<QueueSummary>();
        services.AddSingleton(sp => new RelayMetrics(
            sp.GetRequiredService<ConnectionLimiter>(),
            sp.GetRequiredService<TokenService>(),
            sp.GetRequiredService<UpstreamSmtpPool>(),
            sp.GetRequiredService<QueueManager>(),
            sp.GetRequiredService<QueueSummary>(),
            sp.GetRequiredService<SharedStateStatus>()));
        services.AddSingleton<RelayStatus>();
        services.AddSingleton<MessageHistory>();
        services.AddSingleton<ISmtpBackend, RelayBackend>();
        services.AddSingleton<MailListeners>();
        services.AddSingleton<AdminEndpoint>();
        services.AddSingleton<ConfigurationChecks>();
        services.AddSingleton<ConfigurationFileCheck>(sp => path => ConfigurationValidator.ProblemsInFile(path, sp.GetRequiredService<TimeProvider>()));
        services.AddOperatorConsole(configuration);
        services.AddTokenService(configuration);
        services.AddHostedService<TokenRenewalService>();
        services.AddHostedService<StartupReport>();
        services.AddHostedService<ConfigurationFileWatcher>();
        configureServices?.Invoke(services);

        var app = builder.Build();
        fileStatus.Started(); // from here on a broken file is reported and ignored, not fatal
        AdminEndpoint.Map(app);
        ConsoleSetup.Map(app);
        return app;
    }

    /// <summary>
    /// Checks the configuration as check-config does, logging one line per warning and per problem, and starts the
    /// relay only when there is no problem. False when it did not start.
    /// </summary>
    public static async Task<bool> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        if (!app.Services.GetRequiredService<ConfigurationChecks>().AtStart()) return false;
        // Bound here, not while the relay is composed: building the application creates Kestrel's options, and
        // commands that compose the relay without running it (test-send) must not make or report listener certificates.
        var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        app.Services.GetRequiredService<MailListeners>().Bind(kestrel);
        app.Services.GetRequiredService<AdminEndpoint>().Bind(kestrel);
        // Before the queue starts delivering what it recovered: the metrics count every attempt from the first.
        app.Services.GetRequiredService<RelayMetrics>();
        await app.StartAsync(cancellationToken);
        return true;
    }
}
