using System.Runtime.Versioning;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Configuration;

/// <summary>
/// Warnings the relay starts with, logged once at start and once after each reload (not on every poll): files others
/// may write, a client network that is the whole internet, an expired listener certificate, an open admin endpoint.
/// </summary>
public sealed class ConfigurationWarningsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-warnings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    [Fact]
    [UnsupportedOSPlatform("windows")] // file modes
    public async Task Each_warning_appears_exactly_once_at_start_and_once_more_after_a_reload()
    {
        var now = DateTimeOffset.UtcNow;
        using var expired = PemFiles.Certificate(now.AddDays(-30), now.AddDays(-1));
        var (certificate, key) = PemFiles.Write(_folder, "expired", expired);
        var keyFile = Path.Combine(_folder, "token-cache.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(new byte[32]));
        File.SetUnixFileMode(keyFile, Mode("660"));
        var file = Path.Combine(_folder, "oauthrelay.json");
        var settings = new Dictionary<string, string?>
        {
            ["Listeners:main:Address"] = "127.0.0.1",
            ["Listeners:main:Port"] = "0",
            ["Listeners:tls:Address"] = "127.0.0.1",
            ["Listeners:tls:Port"] = "0",
            ["Listeners:tls:Tls"] = "Implicit",
            ["Listeners:tls:CertificatePath"] = certificate,
            ["Listeners:tls:KeyPath"] = key,
            ["Clients:anywhere:Networks:0"] = "0.0.0.0/0",
            ["Tokens:CacheKeyFile"] = keyFile,
        };
        ConfigFiles.WriteJson(file, settings);
        File.SetUnixFileMode(file, Mode("664"));
        string[] warnings =
        [
            $"Configuration: The configuration file {file} is writable by group or others (mode 0664)",
            $"Configuration: The token cache key file {keyFile} is writable by group or others (mode 0660)",
            "Configuration: Client 'anywhere': Networks entry 0.0.0.0/0 covers the whole internet",
            $"Configuration: Listener 'tls': the certificate {certificate} expired on",
        ];

        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Configuration:PollInterval"] = "00:00:00.100" }, configFile: file);

        foreach (var warning in warnings) Assert.Single(host.Logs.Lines, l => l.Contains(warning) && l.StartsWith("Warning"));
        settings["Clients:anywhere:MaxRecipients"] = "7";
        ConfigFiles.WriteJson(file, settings);
        foreach (var warning in warnings)
        {
            await host.Logs.WaitForLineAsync(warning, 2);
            Assert.Equal(2, host.Logs.Count(warning));
        }
    }

    [Fact]
    public async Task An_admin_endpoint_off_loopback_without_a_bearer_token_is_a_warning()
    {
        var file = Path.Combine(_folder, "oauthrelay.json");
        var settings = new Dictionary<string, string?>
        {
            ["Listeners:main:Address"] = "127.0.0.1",
            ["Admin:Address"] = "0.0.0.0",
            ["Admin:Port"] = "8025",
        };
        const string warning = "Warning: Admin: the endpoint listens on 0.0.0.0 without a bearer token";

        ConfigFiles.WriteJson(file, settings);
        var (exit, output, _) = await CommandLineRun.RunAsync("check-config", "--config", file);
        Assert.Equal(0, exit);
        Assert.Contains(warning, output);

        settings["Admin:BearerTokenFile"] = file; // any existing file will do for the check
        ConfigFiles.WriteJson(file, settings);
        (exit, output, _) = await CommandLineRun.RunAsync("check-config", "--config", file);
        Assert.Equal(0, exit);
        Assert.DoesNotContain(warning, output);
    }
}
