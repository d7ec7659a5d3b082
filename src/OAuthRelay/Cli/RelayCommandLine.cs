using System.CommandLine;
using OAuthRelay.Hosting;

namespace OAuthRelay.Cli;

/// <summary>The command line: with no command, run the relay; sub-commands for operators' one-off tasks.</summary>
internal static class RelayCommandLine
{
    public const string DefaultConfigFile = "config/oauthrelay.json";

    public static RootCommand Create()
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "The configuration file",
            DefaultValueFactory = _ => DefaultConfigFile,
            Recursive = true,
        };
        var root = new RootCommand("OAuthRelay: plain SMTP in, Office 365 with OAuth 2.0 out");
        root.Add(config);
        root.Add(PasswordCommand.Create());
        root.Add(ClientsCommandLine.Create(config));
        root.Add(CheckConfigCommand.Create(config));
        root.Add(StatusCommand.Create(config));
        root.Add(TestSendCommand.Create(config));
        foreach (var command in TokenCommandLine.Create(config)) root.Add(command);
        root.SetAction(async (result, cancellationToken) =>
        {
            var file = result.GetValue(config)!;
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"Configuration file not found: {Path.GetFullPath(file)}");
                return 2;
            }

            await using var app = RelayApplication.Build(file);
            await app.RunAsync(cancellationToken);
            return 0;
        });
        return root;
    }
}
