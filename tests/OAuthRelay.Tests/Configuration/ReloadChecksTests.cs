using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Clients;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Configuration;

/// <summary>
/// A reload is checked against what the running relay can serve: sections read only at start are named as needing a
/// restart, a client naming an account added since is refused for now with the reason, and a reload that leaves no
/// client is applied with a warning.
/// </summary>
public sealed class ReloadChecksTests : IDisposable
{
    private const string Reason = "account 'sales' was added after the relay started; restart the relay to use it";

    private readonly string _folder = Directory.CreateTempSubdirectory("oauthrelay-reload-checks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(RelayRig Rig, Dictionary<string, string?> Settings, string File)> StartRigWithFileAsync()
    {
        var file = Path.Combine(_folder, "oauthrelay.json");
        Dictionary<string, string?> settings = [];
        var rig = await RelayRig.StartAsync(s => s["Configuration:PollInterval"] = "00:00:00.100", writeConfigFile: s =>
        {
            settings = s;
            ConfigFiles.WriteJson(file, s);
            return file;
        });
        return (rig, settings, file);
    }

    [Fact]
    public async Task A_client_naming_an_account_added_after_start_is_refused_for_now_with_the_reason_and_the_log_says_restart()
    {
        var (rig, settings, file) = await StartRigWithFileAsync();
        await using var _ = rig;
        var registry = rig.Relay.Services.GetRequiredService<ClientRegistry>();
        var reloaded = ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Any(c => c.Name == "app" && c.UnavailableReason is not null));
        foreach (var (key, value) in settings.Where(s => s.Key.StartsWith("Accounts:office:")).ToList()) settings[key.Replace(":office:", ":sales:")] = value;
        settings["Clients:app:Account"] = "sales";
        settings["Clients:net:Networks:0"] = "127.0.0.1/32";
        settings["Clients:net:Account"] = "sales";
        ConfigFiles.WriteJson(file, settings);
        Assert.Null(await reloaded);

        await using (var smtp = await rig.Relay.OpenAsync())
        {
            await smtp.CommandAsync("EHLO client.test");
            var auth = await smtp.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}");
            Assert.Equal($"454 4.7.0 {Reason}", auth.Lines[0]);
            var mail = await smtp.CommandAsync($"MAIL FROM:<{rig.Mailbox}>"); // as the network client "net"
            Assert.Equal($"451 4.3.0 {Reason}", mail.Lines[0]);
        }

        await using (var imap = await RawImap.OpenAsync(rig.Relay.EndPoint("imap")))
        {
            var login = await imap.CommandAsync("a1", $"LOGIN {RelayTestHost.UserName} \"{RelayTestHost.Password}\"");
            Assert.Equal($"a1 NO [UNAVAILABLE] {Reason}", login[^1]);
        }

        await using (var pop3 = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("pop3")))
        {
            await pop3.ReadLineAsync();
            Assert.Equal("+OK Send PASS", await pop3.ExchangeAsync($"USER {RelayTestHost.UserName}"));
            Assert.Equal($"-ERR [SYS/TEMP] {Reason}", await pop3.ExchangeAsync($"PASS {RelayTestHost.Password}"));
        }

        await rig.Relay.Logs.WaitForLineAsync("Configuration: Accounts changed (added: sales); restart the relay to apply it");
        Assert.Contains(rig.Relay.Logs.Lines, l => l.StartsWith("Warning") && l.Contains($"Client app is refused until the relay restarts: {Reason}"));
        Assert.Equal(1, rig.Relay.Logs.Count($"client app refused for now (454): {Reason}"));
        Assert.Equal(1, rig.Relay.Logs.Count($"client net refused for now (451): {Reason}"));
        Assert.Equal(2, rig.Relay.Logs.Count($"upstream login for client app failed: {Reason}"));
        Assert.Empty(rig.Office.Messages);
    }

    [Fact]
    public async Task A_change_to_sections_read_at_start_is_logged_once_per_section_naming_the_entries_and_no_value()
    {
        var (rig, settings, file) = await StartRigWithFileAsync();
        await using var _ = rig;
        settings["Listeners:extra:Address"] = "127.0.0.1";
        settings["Listeners:extra:Port"] = "0";
        settings.Remove("Listeners:pop3s:Address");
        settings.Remove("Listeners:pop3s:Port");
        settings.Remove("Listeners:pop3s:Protocol");
        settings.Remove("Listeners:pop3s:Tls");
        settings["Listeners:main:Tls"] = "Implicit";
        settings["Accounts:office:ClientSecret"] = "a-new-client-secret-3";
        settings["Smtp:MaxRecipients"] = "7";
        settings["Clients:app:MaxRecipients"] = "7";
        ConfigFiles.WriteJson(file, settings);

        // Sections are compared in a fixed order, Accounts the last of these: once its line is there, so are the others.
        await rig.Relay.Logs.WaitForLineAsync("Configuration: Accounts changed (changed: office); restart the relay to apply it");
        await rig.Relay.Logs.WaitForLineAsync("Configuration reloaded");
        Assert.Equal(1, rig.Relay.Logs.Count("Configuration: Listeners changed (added: extra; removed: pop3s; changed: main); restart the relay to apply it"));
        Assert.Equal(1, rig.Relay.Logs.Count("Configuration: Smtp changed (added: MaxRecipients); restart the relay to apply it"));
        Assert.Equal(1, rig.Relay.Logs.Count("Configuration: Accounts changed"));
        Assert.Equal(3, rig.Relay.Logs.Count("restart the relay to apply it"));
        Assert.DoesNotContain("a-new-client-secret-3", rig.Relay.Logs.All);
        Assert.DoesNotContain(FakeEntraId.ClientSecret, rig.Relay.Logs.All);
        Assert.Equal(7, rig.Relay.Services.GetRequiredService<ClientRegistry>().Clients.Single(c => c.Name == "app").MaxRecipients);
    }

    private async Task<(RelayTestHost Host, Dictionary<string, string?> Settings, string File)> StartHostWithFileAsync()
    {
        var file = Path.Combine(_folder, "oauthrelay.json");
        var settings = new Dictionary<string, string?>
        {
            ["Listeners:main:Address"] = "127.0.0.1",
            ["Listeners:main:Port"] = "0",
            ["Clients:app:UserName"] = RelayTestHost.UserName,
            ["Clients:app:PasswordHash"] = RelayTestHost.PasswordHash,
        };
        ConfigFiles.WriteJson(file, settings);
        var host = await RelayTestHost.StartAsync(new Dictionary<string, string?> { ["Configuration:PollInterval"] = "00:00:00.100" }, configFile: file);
        return (host, settings, file);
    }

    [Fact]
    public async Task A_reload_the_relay_would_not_start_with_is_applied_to_clients_and_logged_as_such()
    {
        var (host, settings, file) = await StartHostWithFileAsync();
        await using var _ = host;
        var registry = host.Services.GetRequiredService<ClientRegistry>();

        var applied = ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Single().MaxRecipients == 7);
        settings["Clients:app:MaxRecipients"] = "7";
        settings["Listeners:main:Address"] = "mail.contoso.test";
        ConfigFiles.WriteJson(file, settings);
        Assert.Null(await applied);

        var line = await host.Logs.WaitForLineAsync("Configuration: the relay would not start with this file");
        Assert.EndsWith("(1 problem(s), see check-config), first: Listener 'main': Address 'mail.contoso.test' is not an IP address, *, :: or localhost.", line);
    }

    [Fact]
    public async Task A_reload_that_leaves_no_clients_is_applied_with_a_warning()
    {
        var (host, settings, file) = await StartHostWithFileAsync();
        await using var _ = host;
        var registry = host.Services.GetRequiredService<ClientRegistry>();

        var emptied = ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Count == 0);
        ConfigFiles.WriteJson(file, settings.Where(s => !s.Key.StartsWith("Clients:")).ToDictionary());
        Assert.Null(await emptied);

        Assert.Single(host.Logs.Lines, l => l.StartsWith("Warning") && l.Contains("Configuration reloaded with no clients"));
        await using var client = await host.OpenAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.Equal(535, (await client.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{RelayTestHost.UserName}\0{RelayTestHost.Password}"))}")).Code);
    }
}
