using Microsoft.AspNetCore.Mvc;
using OAuthRelay.Tokens;

namespace OAuthRelay.OperatorConsole.Pages;

/// <summary>
/// Accounts: each account's token health, a device code sign-in run from the page, and the import of a refresh token
/// pasted as the seed's curl output. What comes back is who signed in, the scopes and the expiry; never a token.
/// </summary>
internal sealed class AccountsModel(TokenService tokens, DeviceCodeSignIns signIns, ConsoleAudit audit) : ConsolePage
{
    public IReadOnlyList<AccountView> Accounts { get; private set; } = [];

    /// <summary>While a sign-in waits for the person at the other device, the page looks every second.</summary>
    public override int RefreshSeconds => Waiting ? 1 : 15;

    public override bool ReloadWithoutScript => Waiting;

    private bool Waiting => Accounts.Any(a => SignInOf(a.Name) is { IsPending: true });

    public DeviceCodeSignIn? SignInOf(string account) => signIns.For(account);

    public void OnGet() => Accounts = AccountView.All(tokens);

    public IActionResult OnPostSignIn(string account)
    {
        if (Unknown(account) is { } problem) return Outcome(problem);
        signIns.Start(account, Who);
        return Outcome(null);
    }

    public IActionResult OnPostCancel(string account)
    {
        if (signIns.For(account) is not { IsPending: true } running) return Outcome($"No sign-in of account {account} is waiting.");
        running.Cancel();
        audit.Did(Who, $"cancelled the device code sign-in for account {account}");
        return Outcome(null, $"The sign-in of account {account} is cancelled.");
    }

    public async Task<IActionResult> OnPostImportAsync(string account, string? pasted)
    {
        if (Unknown(account) is { } problem) return Outcome(problem);
        try
        {
            var result = await tokens.ImportRefreshTokenAsync(account, SignInInput.RefreshToken(pasted ?? string.Empty), HttpContext.RequestAborted);
            audit.Did(Who, $"imported a refresh token for account {account}: signed in as {result.UserName}");
            return Outcome(null, result.ToString());
        }
        catch (TokenUnavailableException e)
        {
            return Outcome($"Import failed: {e.Health}");
        }
        catch (Exception e) when (e is FormatException or WrongUserSignedInException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return Outcome($"Import failed: {e.Message}");
        }
    }

    private string? Unknown(string account) =>
        tokens.AccountNames.Contains(account ?? string.Empty, StringComparer.OrdinalIgnoreCase) ? null : $"There is no account '{account}' under Accounts.";
}
