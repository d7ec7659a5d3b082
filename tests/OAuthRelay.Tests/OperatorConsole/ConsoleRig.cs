using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Clients;
using OAuthRelay.Observability;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>
/// <see cref="RelayRig"/> run from a configuration file (the console edits it) with the console on: the admin
/// endpoint on 127.0.0.1 port 0 with <see cref="AdminPassword"/>, no sign-in delay unless told, account "office" a
/// public client (device code sign-in), and retries an hour apart so that only an operator retries a message.
/// </summary>
internal sealed class ConsoleRig : IAsyncDisposable
{
    public const string AdminPassword = "admin password for the console tests";

    public static readonly string AdminPasswordHash = PasswordHasher.Hash(AdminPassword, PasswordHasher.MinimumIterations);

    private readonly string _folder;

    private ConsoleRig(RelayRig rig, string folder, string configFile)
    {
        Rig = rig;
        _folder = folder;
        ConfigFile = configFile;
    }

    public RelayRig Rig { get; }

    public string ConfigFile { get; }

    public Uri BaseAddress => new($"http://{Rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}/");

    public ClientRegistry Registry => Rig.Relay.Services.GetRequiredService<ClientRegistry>();

    public static async Task<ConsoleRig> StartAsync(Action<Dictionary<string, string?>>? adjust = null)
    {
        var folder = Directory.CreateTempSubdirectory("oauthrelay-console-").FullName;
        var file = Path.Combine(folder, "oauthrelay.json");
        var rig = await RelayRig.StartAsync(settings =>
        {
            settings["Admin:Port"] = "0";
            settings["Admin:PasswordHash"] = AdminPasswordHash;
            settings["Admin:SignInFailureDelay"] = "00:00:00";
            settings.Remove("Accounts:office:ClientSecret");
            settings["Queue:InitialRetry"] = "01:00:00";
            adjust?.Invoke(settings);
        }, writeConfigFile: settings =>
        {
            ConfigFiles.WriteJson(file, settings);
            return file;
        });
        return new ConsoleRig(rig, folder, file);
    }

    public ConsoleClient Client() => new(BaseAddress);

    /// <summary>A client signed in to the console.</summary>
    public async Task<ConsoleClient> SignedInClientAsync()
    {
        var client = Client();
        var response = await client.SignInAsync(AdminPassword);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Rig.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
