using OAuthRelay.Tokens;

namespace OAuthRelay.Cli;

/// <summary>
/// What the token commands do, on given input and output so they can be tested: each prints what it obtained
/// (account, user, scopes, expiry), never a token; failures print the account's health and its operator action.
/// </summary>
internal sealed class SignInCommands(TokenService tokens, TextReader input, TextWriter output)
{
    public Task<int> ImportRefreshTokenAsync(string account, string? file, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var text = file is null ? await input.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(file, cancellationToken);
        return await tokens.ImportRefreshTokenAsync(account, SignInInput.RefreshToken(text), cancellationToken);
    });

    public Task<int> DeviceCodeAsync(string account, CancellationToken cancellationToken) => RunAsync(() =>
        tokens.SignInWithDeviceCodeAsync(account, prompt => output.WriteLineAsync(prompt.ToString()), cancellationToken));

    public Task<int> AuthorizationCodeAsync(string account, CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var url = await tokens.AuthorizationUrlAsync(account, cancellationToken);
        // AbsoluteUri keeps the percent-encoding (Uri.ToString() would print the scopes' spaces raw).
        await output.WriteLineAsync($"Open this URL in a browser and sign in as the mailbox user:\n\n{url.AbsoluteUri}\n");
        await output.WriteLineAsync("Then paste the whole address the browser was sent to (or just the code) and press Enter:");
        var pasted = await input.ReadLineAsync(cancellationToken) ?? string.Empty;
        return await tokens.RedeemAuthorizationCodeAsync(account, SignInInput.AuthorizationCode(pasted), cancellationToken);
    });

    private async Task<int> RunAsync(Func<Task<SignInResult>> signIn)
    {
        try
        {
            await output.WriteLineAsync((await signIn()).ToString());
            return 0;
        }
        catch (TokenUnavailableException e)
        {
            await output.WriteLineAsync($"Sign-in failed: {e.Health}");
            return 1;
        }
        catch (Exception e) when (e is WrongUserSignedInException or FormatException or ArgumentException or InvalidOperationException or System.Text.Json.JsonException)
        {
            await output.WriteLineAsync($"Sign-in failed: {e.Message}");
            return 2;
        }
    }

    /// <summary>Removes the account's cached tokens; a relay running on the same cache stops using them at once.</summary>
    public async Task<int> LogoutAsync(string account, CancellationToken cancellationToken)
    {
        try
        {
            await tokens.LogoutAsync(account, cancellationToken);
            await output.WriteLineAsync($"Account {account}: signed out, its cached tokens are removed. {Tokens.Health.SignInCommand.SignInAgain(account)}");
            return 0;
        }
        catch (ArgumentException e)
        {
            await output.WriteLineAsync(e.Message);
            return 2;
        }
    }
}
