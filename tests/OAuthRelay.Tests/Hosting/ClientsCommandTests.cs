using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Cli;
using OAuthRelay.Clients;
using OAuthRelay.Observability;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.Hosting;

/// <summary>The operator's CLI against a running relay's configuration file: the change shows in /status without a restart.</summary>
public sealed class ClientsCommandTests
{
    private static Task<int> RunCliAsync(params string[] args) => RelayCommandLine.Create().Parse(args).InvokeAsync();

    [Fact]
    public async Task Set_oauth_changes_the_effective_mode_the_running_relay_shows_in_status()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-cli-").FullName;
        var file = Path.Combine(folder, "oauthrelay.json");
        await using var rig = await RelayRig.StartAsync(s => s["Admin:Port"] = "0", writeConfigFile: s =>
        {
            ConfigFiles.WriteJson(file, s);
            return file;
        });
        var registry = rig.Relay.Services.GetRequiredService<ClientRegistry>();
        using var http = new HttpClient();
        var status = new Uri($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}/status");
        async Task<string?> OAuthOf(string client)
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(status));
            return json.RootElement.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("name").GetString() == client).GetProperty("oauth").GetString();
        }

        Assert.Equal("on", await OAuthOf("app"));

        var off = ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Any(c => c.Name == "app" && !c.OAuth));
        Assert.Equal(0, await RunCliAsync("clients", "set-oauth", "app", "off", "--config", file));
        Assert.Null(await off);
        Assert.Equal("off", await OAuthOf("app"));

        var inherited = ConfigFiles.NextReload(registry, error => error is null && registry.Clients.Any(c => c.Name == "app" && c.OAuth));
        Assert.Equal(0, await RunCliAsync("clients", "set-oauth", "app", "inherit", "--config", file));
        Assert.Null(await inherited);
        Assert.Equal("on", await OAuthOf("app"));
        Assert.DoesNotContain("OAuth", JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.GetProperty("Clients").GetProperty("app").ToString());

        Assert.Equal(1, await RunCliAsync("clients", "set-oauth", "nobody", "on", "--config", file));
        Assert.NotEqual(0, await RunCliAsync("clients", "set-oauth", "app", "maybe", "--config", file));

        // "basic" has no account: with OAuth on the relay would refuse the file, so it is not written.
        var before = await File.ReadAllBytesAsync(file);
        Assert.Equal(1, await RunCliAsync("clients", "set-oauth", "basic", "on", "--config", file));
        Assert.Equal(before, await File.ReadAllBytesAsync(file));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Check_config_accepts_the_sample_and_rejects_a_broken_file()
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-check-").FullName;
        var broken = Path.Combine(folder, "broken.json");
        await File.WriteAllTextAsync(broken, """{ "Clients": { "x": { "UserName": "x@contoso.test", "PasswordHash": "not-a-hash" } } }""");

        Assert.Equal(0, await RunCliAsync("check-config", "--config", SampleConfigurationTests.SampleConfig()));
        Assert.Equal(1, await RunCliAsync("check-config", "--config", broken));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Status_reads_the_running_relays_admin_endpoint_and_says_whether_it_is_ready()
    {
        await using var rig = await RelayRig.StartAsync(s =>
        {
            s["Admin:Port"] = "0";
            s["Admin:BearerToken"] = "cli-admin-token-42";
        });
        var folder = Directory.CreateTempSubdirectory("oauthrelay-status-").FullName;
        var port = rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint!.Port;
        var file = Path.Combine(folder, "cli.json");
        ConfigFiles.WriteJson(file, new Dictionary<string, string?> { ["Admin:Port"] = port.ToString(), ["Admin:BearerToken"] = "cli-admin-token-42" });
        var wrongToken = Path.Combine(folder, "wrong.json");
        ConfigFiles.WriteJson(wrongToken, new Dictionary<string, string?> { ["Admin:Port"] = port.ToString(), ["Admin:BearerToken"] = "nope" });
        var nobody = Path.Combine(folder, "nobody.json");
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        ConfigFiles.WriteJson(nobody, new Dictionary<string, string?> { ["Admin:Port"] = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port.ToString() });
        closed.Stop();

        Assert.Equal(0, await RunCliAsync("status", "--config", file));
        Assert.Equal(0, await RunCliAsync("status", "--live", "--config", file));
        Assert.Equal(2, await RunCliAsync("status", "--config", wrongToken));
        Assert.Equal(2, await RunCliAsync("status", "--live", "--config", nobody));
        Directory.Delete(folder, recursive: true);
    }
}
