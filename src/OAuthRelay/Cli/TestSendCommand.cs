using System.CommandLine;
using OAuthRelay.Hosting;

namespace OAuthRelay.Cli;

/// <summary><c>test-send &lt;account&gt; --to &lt;address&gt;</c>: one real message through the configured upstream, step by step.</summary>
internal static class TestSendCommand
{
    public static Command Create(Option<string> config, Option<bool> verbose)
    {
        var account = new Argument<string>("account") { Description = "The account name under Accounts" };
        var to = new Option<string>("--to") { Description = "The recipient", Required = true };
        var command = new Command("test-send", "Send one test message as the account through the configured upstream and show each step") { account, to };
        command.SetAction(async (result, ct) =>
        {
            await using var app = Compose(result.GetValue(config)!, result.GetValue(verbose));
            return await TestSend.Of(app.Services, result.InvocationConfiguration.Output).RunAsync(result.GetValue(account)!, result.GetValue(to)!, ct);
        });
        return command;
    }

    /// <summary>
    /// The relay's own composition, not started: the same settings, token cache and upstream TLS rules, and no listener
    /// bound, so no listener certificate is made or reported.
    /// </summary>
    internal static WebApplication Compose(string configFile, bool verbose, Action<IServiceCollection>? services = null) =>
        RelayApplication.Build(configFile, configureServices: collection =>
        {
            collection.WarningsUnless(verbose);
            services?.Invoke(collection);
        });
}
