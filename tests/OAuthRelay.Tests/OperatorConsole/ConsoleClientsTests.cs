using OAuthRelay.Clients;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>The Clients page changes the configuration file the way set-oauth does, and the running relay takes it.</summary>
public sealed class ConsoleClientsTests
{
    private static Dictionary<string, string> Set(string client, string value) => new() { ["client"] = client, ["value"] = value };

    [Fact]
    public async Task The_page_lists_each_client_with_its_recognition_account_and_effective_modes()
    {
        await using var console = await ConsoleRig.StartAsync(s => s["Clients:app:DeliveryMode"] = "Queue");
        using var client = await console.SignedInClientAsync();

        var page = await client.PageAsync("/clients");

        Assert.Contains("<th scope=\"row\">app</th>", page);
        Assert.Contains(RelayTestHost.UserName, page);
        Assert.Contains("<td data-label=\"Account\">office</td>", page);
        Assert.Contains("data-oauth=\"off\">off</span>", page); // basic
        Assert.Contains("data-oauth=\"on\">on</span> (inherited)", page); // app
        Assert.Contains("<span class=\"effective\">Queue</span>", page);
        Assert.Contains("<span class=\"effective\">PassThrough</span> (inherited)", page);
        Assert.Contains(console.ConfigFile, page);
    }

    [Fact]
    public async Task Switching_oauth_writes_the_file_is_in_force_for_the_next_session_and_is_audited()
    {
        await using var console = await ConsoleRig.StartAsync();
        console.Rig.Office.BasicUsers[RelayTestHost.UserName] = RelayTestHost.Password;
        using var client = await console.SignedInClientAsync();

        var page = await client.ChangeAsync("/clients", "OAuth", Set("app", "off"));

        Assert.Equal("Clients:app:OAuth changed from (unset) to false; in force for new sessions.", ConsoleClient.Message(page, "status"));
        Assert.False(console.Registry.Clients.Single(c => c.Name == "app").OAuth);
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains("Audit: admin at 127.0.0.1 changed Clients:app:OAuth from (unset) to false"));
        await using (var smtp = await console.Rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(250, (await smtp.SendMessageAsync(console.Rig.Mailbox, "someone@example.test", "Subject: basic\r\n\r\nbody")).Code);
        Assert.Equal("LOGIN", console.Rig.Office.Messages.Last().Mechanism);

        page = await client.ChangeAsync("/clients", "OAuth", Set("app", "inherit"));
        Assert.Equal("Clients:app:OAuth changed from false to (unset); in force for new sessions.", ConsoleClient.Message(page, "status"));
        Assert.True(console.Registry.Clients.Single(c => c.Name == "app").OAuth);
        Assert.Equal("Clients:app:OAuth is already (unset).", ConsoleClient.Message(await client.ChangeAsync("/clients", "OAuth", Set("app", "inherit")), "status"));
    }

    [Fact]
    public async Task Delivery_mode_and_enabled_are_switched_the_same_way()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();

        await client.ChangeAsync("/clients", "Mode", Set("app", "Queue"));
        Assert.Equal(DeliveryMode.Queue, console.Registry.Clients.Single(c => c.Name == "app").DeliveryMode);

        var page = await client.ChangeAsync("/clients", "Enabled", Set("app", "false"));
        Assert.Equal("Clients:app:Enabled changed from (unset) to false; in force for new sessions.", ConsoleClient.Message(page, "status"));
        Assert.DoesNotContain(console.Registry.Clients, c => c.Name == "app");
        Assert.Contains("<tr id=\"client-app\" class=\"disabled\">", page);

        await client.ChangeAsync("/clients", "Enabled", Set("app", "true"));
        Assert.Contains(console.Registry.Clients, c => c.Name == "app");
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains("Audit: admin at 127.0.0.1 changed Clients:app:DeliveryMode from (unset) to \"Queue\""));
    }

    [Fact]
    public async Task A_change_the_validator_refuses_is_shown_with_its_reason_and_nothing_is_written()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        var file = await File.ReadAllBytesAsync(console.ConfigFile);

        // "basic" passes its own password upstream: queued, the relay would have to keep that password with each message.
        var page = await client.ChangeAsync("/clients", "Mode", Set("basic", "Queue"));

        Assert.StartsWith("Not changed, the relay would refuse it: Client 'basic': queues its messages with OAuth off", ConsoleClient.Message(page, "alert"));
        Assert.Equal(file, await File.ReadAllBytesAsync(console.ConfigFile));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(console.ConfigFile)!));
        Assert.DoesNotContain(console.Rig.Relay.Logs.Lines, l => l.Contains("Audit:"));
    }

    [Theory]
    [InlineData("OAuth", "app", "maybe", "OAuth must be on, off or inherit, not 'maybe'.")]
    [InlineData("Mode", "app", "Later", "The delivery mode must be PassThrough, Queue or inherit, not 'Later'.")]
    [InlineData("Mode", "app", "7", "The delivery mode must be PassThrough, Queue or inherit, not '7'.")]
    [InlineData("Enabled", "app", "perhaps", "Enabled must be true or false, not 'perhaps'.")]
    [InlineData("OAuth", "nobody", "on", "Not changed: There is no client 'nobody' under Clients in")]
    public async Task Bad_input_is_rejected_with_a_message(string handler, string clientName, string value, string message)
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        var file = await File.ReadAllBytesAsync(console.ConfigFile);

        var page = await client.ChangeAsync("/clients", handler, Set(clientName, value));

        Assert.StartsWith(message, ConsoleClient.Message(page, "alert"));
        Assert.Equal(file, await File.ReadAllBytesAsync(console.ConfigFile));
    }
}
