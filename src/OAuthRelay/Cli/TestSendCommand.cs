using System.CommandLine;
using OAuthRelay.Hosting;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Cli;

/// <summary><c>test-send &lt;account&gt; --to &lt;address&gt;</c>: one real message through the configured upstream, step by step.</summary>
internal static class TestSendCommand
{
    public static Command Create(Option<string> config)
    {
        var account = new Argument<string>("account") { Description = "The account name under Accounts" };
        var to = new Option<string>("--to") { Description = "The recipient", Required = true };
        var command = new Command("test-send", "Send one test message as the account through the configured upstream and show each step") { account, to };
        command.SetAction(async (result, ct) =>
        {
            // The relay's own composition, not started: same settings, token cache and upstream TLS rules.
            await using var app = RelayApplication.Build(result.GetValue(config)!);
            var send = new TestSend(app.Services.GetRequiredService<TokenService>(), app.Services.GetRequiredService<UpstreamConnector>(), Console.Out);
            return await send.RunAsync(result.GetValue(account)!, result.GetValue(to)!, ct);
        });
        return command;
    }
}
