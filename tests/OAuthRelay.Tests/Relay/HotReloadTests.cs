using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Clients;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Relay;

/// <summary>Editing the configuration file applies to new sessions without a restart; a broken edit changes nothing.</summary>
public sealed class HotReloadTests
{
    private static async Task<string> SendAndSeeMechanismAsync(RelayRig rig)
    {
        var before = rig.Office.Messages.Count;
        await using var client = await rig.Relay.OpenAuthenticatedAsync();
        Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: reload\r\n\r\nbody")).Code);
        Assert.Equal(before + 1, rig.Office.Messages.Count);
        return rig.Office.Messages.Last().Mechanism;
    }

    [Fact]
    public async Task Flipping_a_clients_oauth_switch_in_the_file_applies_to_the_next_session_and_a_broken_file_is_rejected()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-reload-").FullName;
        var file = Path.Combine(folder, "oauthrelay.json");
        Dictionary<string, string?> settings = [];
        await using var rig = await RelayRig.StartAsync(writeConfigFile: s =>
        {
            settings = s;
            ConfigFiles.WriteJson(file, s);
            return file;
        });
        rig.Office.BasicUsers[RelayTestHost.UserName] = RelayTestHost.Password;
        var registry = rig.Relay.Services.GetRequiredService<ClientRegistry>();
        Assert.Equal("XOAUTH2", await SendAndSeeMechanismAsync(rig));

        var applied = ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Any(c => c.Name == "app" && !c.OAuth));
        settings["Clients:app:OAuth"] = "false";
        ConfigFiles.WriteJson(file, settings);
        Assert.Null(await applied);
        Assert.Equal("LOGIN", await SendAndSeeMechanismAsync(rig));

        var rejected = ConfigFiles.NextReload(registry, error => error is not null);
        await File.WriteAllTextAsync(file, "{ \"Clients\": { \"app\": ");
        Assert.NotNull(await rejected);
        Assert.Contains(rig.Relay.Logs.Lines, l => l.Contains("Configuration change rejected, the last good configuration stays in force"));
        Assert.Equal("LOGIN", await SendAndSeeMechanismAsync(rig));

        var invalid = ConfigFiles.NextReload(registry, error => error?.Contains("not a CIDR network") == true);
        settings["Clients:app:Networks:0"] = "not-a-network";
        ConfigFiles.WriteJson(file, settings);
        Assert.Contains("Client 'app'", await invalid);
        Assert.Equal("LOGIN", await SendAndSeeMechanismAsync(rig));
        Directory.Delete(folder, recursive: true);
    }
}
