using System.CommandLine;
using System.Text.RegularExpressions;
using OAuthRelay.Clients;
using OAuthRelay.Configuration;
using OAuthRelay.Listeners;

namespace OAuthRelay.Cli;

/// <summary><c>check-config</c>: validates the configuration as the relay would and prints the effective settings with secrets masked.</summary>
internal static partial class CheckConfigCommand
{
    public static Command Create(Option<string> config)
    {
        var command = new Command("check-config", "Validate the configuration and print the effective settings, secrets masked");
        command.SetAction(result => Check(result.GetValue(config)!));
        return command;
    }

    private static int Check(string configFile)
    {
        IConfigurationRoot configuration;
        IReadOnlyList<RelayClient> clients;
        try
        {
            configuration = new ConfigurationBuilder().AddRelaySources(configFile).Build();
            clients = ConfiguredClients.Parse(configuration);
            _ = configuration.GetSection("Listeners").Get<Dictionary<string, ListenerOptions>>()?.Values.Select(l => l.ParseAddress()).ToList();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or FileNotFoundException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"Invalid configuration: {e.Message}");
            return 1;
        }

        foreach (var (key, value) in configuration.AsEnumerable().Where(e => e.Value is not null && !e.Key.StartsWith("Logging")).OrderBy(e => e.Key))
            Console.WriteLine($"{key} = {(IsSecret(key) ? "********" : value)}");
        Console.WriteLine($"OK: {clients.Count} client(s).");
        return 0;
    }

    /// <summary>Passwords, hashes, secrets, keys and tokens; a path to a secret file is not itself a secret.</summary>
    private static bool IsSecret(string key) => SecretKey().IsMatch(key) && !key.EndsWith("File", StringComparison.OrdinalIgnoreCase) && !key.EndsWith("Path", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("(Password|PasswordHash|Secret|CacheKey|BearerToken)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();
}
