using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OAuthRelay.Clients;
using OAuthRelay.Fakes;
using OAuthRelay.Hosting;
using OAuthRelay.Listeners;
using OAuthRelay.Smtp.Backend;
using OAuthRelay.Tokens;

namespace OAuthRelay.Bench;

/// <summary>The relay hosts the benchmark runs in its child processes, on loopback port 0.</summary>
internal static class BenchServers
{
    public const string ClientUser = "app@contoso.test";
    public const string ClientPassword = "bench-password";

    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Smtp:HostName"] = "bench.test",
        ["Smtp:MaxConnections"] = "20000",
        ["Smtp:MaxConnectionsPerClient"] = "20000",
        ["Smtp:MaxMessageSize"] = "104857600",
    };

    /// <summary>The engine with a null backend: one cleartext and one STARTTLS listener.</summary>
    public static async Task<(WebApplication App, IPEndPoint Cleartext, IPEndPoint StartTls)> StartEngineAsync()
    {
        var settings = new Dictionary<string, string?>(Quiet)
        {
            ["Listeners:plain:Address"] = "127.0.0.1",
            ["Listeners:plain:Port"] = "0",
            ["Listeners:tls:Address"] = "127.0.0.1",
            ["Listeners:tls:Port"] = "0",
            ["Listeners:tls:Tls"] = "StartTls",
            ["Delivery:CaptureFolder"] = Path.Combine(Path.GetTempPath(), "oauthrelay-bench-unused"),
        };
        var app = await StartAsync(RelayApplication.Build(null, settings, services => services.Replace(ServiceDescriptor.Singleton<ISmtpBackend, NullBackend>())));
        var listeners = app.Services.GetRequiredService<MailListeners>();
        return (app, listeners.EndPointOf("plain"), listeners.EndPointOf("tls"));
    }

    /// <summary>The relay's IMAP listeners (cleartext, implicit TLS) towards the fake Office 365 IMAP server in the parent process.</summary>
    public static async Task<(WebApplication App, IPEndPoint Cleartext, IPEndPoint Tls)> StartMailboxProxyAsync(string[] args)
    {
        var (entraBase, entraCaFile, imapPort, caFile, refreshToken) = (new Uri(args[0]), args[1], int.Parse(args[2]), args[3], args[4]);
        var folder = Directory.CreateTempSubdirectory("oauthrelay-bench-").FullName;
        var settings = new Dictionary<string, string?>(Quiet);
        foreach (var (key, value) in UpstreamRelaySettings.For(entraBase, entraCaFile, officePort: 1, caFile, folder)) settings[key] = value;
        settings["Upstream:Imap:Host"] = "127.0.0.1";
        settings["Upstream:Imap:Port"] = imapPort.ToString();
        foreach (var (name, tls) in new[] { ("imap", "None"), ("imaps", "Implicit") })
        {
            settings[$"Listeners:{name}:Address"] = "127.0.0.1";
            settings[$"Listeners:{name}:Port"] = "0";
            settings[$"Listeners:{name}:Protocol"] = "Imap";
            settings[$"Listeners:{name}:Tls"] = tls;
        }

        var app = await StartSignedInAsync(settings, entraCaFile, refreshToken);
        var listeners = app.Services.GetRequiredService<MailListeners>();
        return (app, listeners.EndPointOf("imap"), listeners.EndPointOf("imaps"));
    }

    /// <summary>Writes the fake Entra ID's certificate beside <paramref name="nextTo"/>, for the child relay's Tokens:TrustedCaFile.</summary>
    public static string EntraCaFile(FakeEntraId entra, string nextTo)
    {
        var path = nextTo + ".entra.pem";
        File.WriteAllText(path, entra.CertificatePem);
        return path;
    }

    /// <summary>
    /// The relay towards the fakes in the parent process, signed in with the given refresh token, in the given delivery
    /// mode and pace, its spool, queue and tokens in a new folder that the caller deletes once the relay has stopped;
    /// the queue in a given folder instead, kept, when the ninth argument names one. Any further arguments are settings
    /// of their own, <c>Key=Value</c> (the Graph transport, the shared state).
    /// </summary>
    public static async Task<(WebApplication App, IPEndPoint Listener, string DataFolder)> StartUpstreamRelayAsync(string[] args)
    {
        var (entraBase, entraCaFile, officePort, caFile, refreshToken) = (new Uri(args[0]), args[1], int.Parse(args[2]), args[3], args[4]);
        var (deliveryMode, messagesPerMinute, dataRoot) = (args[5], args[6], args[7]);
        var folder = Directory.CreateDirectory(Path.Combine(dataRoot, $"oauthrelay-bench-{Guid.NewGuid():N}")).FullName;
        var settings = new Dictionary<string, string?>(Quiet);
        foreach (var (key, value) in UpstreamRelaySettings.For(entraBase, entraCaFile, officePort, caFile, folder)) settings[key] = value;
        settings["Listeners:main:Address"] = "127.0.0.1";
        settings["Listeners:main:Port"] = "0";
        settings["Relay:DeliveryMode"] = deliveryMode;
        settings["Queue:Directory"] = args.Length > 8 && args[8].Length > 0 ? args[8] : Path.Combine(folder, "queue");
        settings["Upstream:MessagesPerMinute"] = messagesPerMinute;
        settings["Upstream:RecipientsPerDay"] = "100000000"; // the benchmark sends more than a real mailbox's day
        foreach (var setting in args.Skip(9))
        {
            var (key, value) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
            settings[key] = value;
        }

        var app = await StartSignedInAsync(settings, entraCaFile, refreshToken);
        return (app, app.Services.GetRequiredService<MailListeners>().EndPointOf("main"), folder);
    }

    /// <summary>Starts a relay with client "app" on account "office", its tokens from the fake Entra ID in the parent.</summary>
    private static async Task<WebApplication> StartSignedInAsync(Dictionary<string, string?> settings, string entraCaFile, string refreshToken)
    {
        settings["Clients:app:UserName"] = ClientUser;
        settings["Clients:app:PasswordHash"] = PasswordHasher.Hash(ClientPassword);
        settings["Clients:app:Account"] = "office";
        var app = await StartAsync(RelayApplication.Build(null, settings));
        await app.Services.GetRequiredService<TokenService>().ImportRefreshTokenAsync("office", refreshToken);
        return app;
    }

    /// <summary>Starts the relay as the command line does (configuration check, then listeners).</summary>
    private static async Task<WebApplication> StartAsync(WebApplication app) =>
        await RelayApplication.StartAsync(app) ? app : throw new InvalidOperationException("The relay did not start; its log says why.");
}
