using System.CommandLine;
using OAuthRelay.Configuration;
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
        var verbose = CliLogging.VerboseOption();
        var root = new RootCommand("OAuthRelay: plain SMTP in, Office 365 with OAuth 2.0 out");
        root.Add(config);
        root.Add(verbose);
        root.Add(PasswordCommand.Create());
        root.Add(ClientsCommandLine.Create(config));
        root.Add(CheckConfigCommand.Create(config));
        root.Add(StatusCommand.Create(config));
        root.Add(QueueCommandLine.Create(config));
        root.Add(TestSendCommand.Create(config, verbose));
        foreach (var command in TokenCommandLine.Create(config, verbose)) root.Add(command);
        root.SetAction(async (result, cancellationToken) =>
        {
            var file = result.GetValue(config)!;
            var error = result.InvocationConfiguration.Error;
            if (!File.Exists(file))
            {
                await error.WriteLineAsync($"Configuration file not found: {Path.GetFullPath(file)}");
                return 2;
            }

            WebApplication app;
            try
            {
                app = RelayApplication.Build(file);
            }
            catch (Exception e) when (RelayConfiguration.IsLoadFailure(e))
            {
                await error.WriteLineAsync($"Invalid configuration: {RelayConfiguration.DescribeLoadFailure(e)}");
                return 1;
            }

            await using (app)
            {
                if (!await RelayApplication.StartAsync(app, cancellationToken)) return 1;
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        });
        return root;
    }
}
