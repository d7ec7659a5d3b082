using System.CommandLine;
using OAuthRelay.Configuration;
using OAuthRelay.Tokens;

namespace OAuthRelay.Cli;

/// <summary>The token sub-commands: import-refresh-token, login and logout, on the relay's own configuration and token cache.</summary>
internal static class TokenCommandLine
{
    public static IEnumerable<Command> Create(Option<string> config, Option<bool> verbose)
    {
        var account = new Argument<string>("account") { Description = "The account name under Accounts in the configuration" };

        var file = new Option<string?>("--file") { Description = "Read the refresh token (or the token endpoint's JSON answer) from this file instead of standard input" };
        var import = new Command("import-refresh-token", "Redeem a refresh token obtained elsewhere (e.g. the manual curl procedure) and store the result encrypted");
        import.Add(account);
        import.Add(file);
        import.SetAction((result, ct) => WithCommands(result.GetValue(config)!, result.GetValue(verbose), c => c.ImportRefreshTokenAsync(result.GetValue(account)!, result.GetValue(file), ct)));

        var deviceCode = new Option<bool>("--device-code") { Description = "Sign in on another device with a code (public client apps)" };
        var authCode = new Option<bool>("--auth-code") { Description = "Sign in in a browser and paste the redirect address (web apps with a secret, as in the manual procedure)" };
        var login = new Command("login", "Sign the account's mailbox user in and store the tokens encrypted");
        login.Add(account);
        login.Add(deviceCode);
        login.Add(authCode);
        login.SetAction((result, ct) => WithCommands(result.GetValue(config)!, result.GetValue(verbose), c => result.GetValue(authCode)
            ? c.AuthorizationCodeAsync(result.GetValue(account)!, ct)
            : c.DeviceCodeAsync(result.GetValue(account)!, ct)));

        var logout = new Command("logout", "Remove the account's cached tokens (a running relay stops using them); it needs a new sign-in");
        logout.Aliases.Add("reset");
        logout.Add(account);
        logout.SetAction((result, ct) => WithCommands(result.GetValue(config)!, result.GetValue(verbose), c => c.LogoutAsync(result.GetValue(account)!, ct)));

        return [import, login, logout];
    }

    private static async Task<int> WithCommands(string configFile, bool verbose, Func<SignInCommands, Task<int>> run)
    {
        var configuration = new ConfigurationBuilder().AddRelaySources(configFile).Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true))
            .WarningsUnless(verbose)
            .AddTokenService(configuration);
        await using var provider = services.BuildServiceProvider();
        return await run(new SignInCommands(provider.GetRequiredService<TokenService>(), Console.In, Console.Out));
    }
}
