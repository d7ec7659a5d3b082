using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OAuthRelay.Clients;
using OAuthRelay.Hosting;
using OAuthRelay.Listeners;

namespace OAuthRelay.Tests.Infrastructure;

/// <summary>
/// The real relay application on 127.0.0.1 port 0 with its own temporary capture, spool and queue folders and
/// collected logs.
/// Settings are given as configuration keys, exactly as an operator's file would set them.
/// </summary>
public sealed class RelayTestHost : IAsyncDisposable
{
    public const string UserName = "app@contoso.test";
    public const string Password = "correct horse battery staple";

    /// <summary>The AUTH PLAIN initial response for <see cref="UserName"/> and <see cref="Password"/>.</summary>
    public static readonly string PlainResponse = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{UserName}\0{Password}"));

    // Hashing is deliberately slow; tests share one hash.
    public static readonly string PasswordHash = PasswordHasher.Hash(Password, PasswordHasher.MinimumIterations);

    private readonly WebApplication _app;

    private RelayTestHost(WebApplication app, string stateFolder, LogCollector logs)
    {
        _app = app;
        StateFolder = stateFolder;
        Logs = logs;
    }

    /// <summary>Holds this relay's capture/, spool/ and queue/ folders; deleted on dispose.</summary>
    public string StateFolder { get; }

    public string CaptureFolder => Path.Combine(StateFolder, "capture");

    public string QueueFolder => Path.Combine(StateFolder, "queue");

    public LogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a relay with one listener "main" (cleartext, STARTTLS-capable unless told otherwise) and one client
    /// that authenticates with <see cref="UserName"/>/<see cref="Password"/>. No trusted network unless given.
    /// Starts as the command line does, after the configuration check; throws <see cref="NotStartedException"/>
    /// with the log when the check stops the start.
    /// </summary>
    public static async Task<RelayTestHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        string? configFile = null,
        Action<IServiceCollection>? services = null)
    {
        var stateFolder = Directory.CreateTempSubdirectory("oauthrelay-test-").FullName;
        var all = new Dictionary<string, string?>
        {
            ["Smtp:HostName"] = "relay.test",
            ["Smtp:AuthFailureDelay"] = "00:00:00",
            ["Delivery:CaptureFolder"] = Path.Combine(stateFolder, "capture"),
            ["Spool:Directory"] = Path.Combine(stateFolder, "spool"),
            ["Queue:Directory"] = Path.Combine(stateFolder, "queue"),
        };
        if (configFile is null)
        {
            all["Listeners:main:Address"] = "127.0.0.1";
            all["Listeners:main:Port"] = "0";
            all["Listeners:main:Tls"] = "StartTls";
            all["Clients:app:UserName"] = UserName;
            all["Clients:app:PasswordHash"] = PasswordHash;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;

        var logs = new LogCollector();
        var app = RelayApplication.Build(configFile, all, collection =>
        {
            collection.RemoveAll<ILoggerProvider>();
            collection.AddSingleton<ILoggerProvider>(logs);
            collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
            if (time is not null) collection.Replace(ServiceDescriptor.Singleton(time));
            services?.Invoke(collection);
        });
        if (await RelayApplication.StartAsync(app)) return new RelayTestHost(app, stateFolder, logs);
        await app.DisposeAsync();
        Directory.Delete(stateFolder, recursive: true);
        throw new NotStartedException(logs);
    }

    public IPEndPoint EndPoint(string listener = "main") => Services.GetRequiredService<MailListeners>().EndPointOf(listener);

    public Task<RawSmtpClient> OpenAsync(string listener = "main", IPAddress? from = null) => RawSmtpClient.OpenAsync(EndPoint(listener), from);

    /// <summary>Connects, says EHLO and authenticates as the test client.</summary>
    public async Task<RawSmtpClient> OpenAuthenticatedAsync()
    {
        var client = await OpenAsync();
        Assert.Equal(250, (await client.CommandAsync("EHLO client.test")).Code);
        Assert.Equal(235, (await client.CommandAsync($"AUTH PLAIN {PlainResponse}")).Code);
        return client;
    }

    /// <summary>Stops the relay as a SIGTERM would (graceful shutdown); disposing afterwards is still needed.</summary>
    public Task StopAsync() => _app.StopAsync();

    public string[] CapturedFiles() => Directory.GetFiles(CaptureFolder, "*.eml");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(StateFolder, recursive: true);
    }

    /// <summary>The configuration check stopped the start; <see cref="Logs"/> has its lines.</summary>
    public sealed class NotStartedException(LogCollector logs) : Exception($"The relay did not start:\n{logs.All}")
    {
        public LogCollector Logs { get; } = logs;
    }
}
