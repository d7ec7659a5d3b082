using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OAuthRelay.Hosting;
using OAuthRelay.Smtp.Backend;

namespace OAuthRelay.Bench;

/// <summary>The relay host with a null backend, listening on loopback port 0: one cleartext and one STARTTLS listener.</summary>
internal static class BenchServers
{
    public static async Task<(WebApplication App, IPEndPoint Cleartext, IPEndPoint StartTls)> StartRelayAsync()
    {
        var app = RelayApplication.Build(null, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Smtp:HostName"] = "bench.test",
            ["Smtp:MaxConnections"] = "20000",
            ["Smtp:MaxConnectionsPerClient"] = "20000",
            ["Smtp:MaxMessageSize"] = "104857600",
            ["Listeners:plain:Address"] = "127.0.0.1",
            ["Listeners:plain:Port"] = "0",
            ["Listeners:tls:Address"] = "127.0.0.1",
            ["Listeners:tls:Port"] = "0",
            ["Listeners:tls:Tls"] = "StartTls",
            ["Delivery:CaptureFolder"] = Path.Combine(Path.GetTempPath(), "oauthrelay-bench-unused"),
        }, services => services.Replace(ServiceDescriptor.Singleton<ISmtpBackend, NullBackend>()));
        await app.StartAsync();
        var listeners = app.Services.GetRequiredService<SmtpListeners>();
        return (app, listeners.EndPointOf("plain"), listeners.EndPointOf("tls"));
    }
}
