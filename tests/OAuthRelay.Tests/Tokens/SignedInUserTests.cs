using Microsoft.Identity.Client;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Fakes;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tests.Tokens;

/// <summary>The tokens are the account's mailbox user's: other sign-ins are refused, a new one replaces the old, logout empties.</summary>
public sealed class SignedInUserTests
{
    private const string Intruder = "someone.else@contoso.test";

    [Fact]
    public async Task Importing_a_refresh_token_of_another_user_is_refused_and_the_earlier_sign_in_stays()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();

        var refused = await Assert.ThrowsAsync<WrongUserSignedInException>(() => rig.Tokens.ImportRefreshTokenAsync("mailbox", rig.Entra.IssueRefreshToken(Intruder)));
        Assert.Contains($"signed in as {Intruder}", refused.Message);
        Assert.Contains($"sends as {FakeEntraId.UserName}", refused.Message);

        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName));
        Assert.Equal(TokenHealthState.Healthy, rig.Tokens.Health("mailbox").State);
        rig.Restart(); // and nothing of the intruder was kept on disk
        Assert.True(rig.Entra.IsValidAccessToken((await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).Token, FakeEntraId.UserName));
    }

    [Fact]
    public async Task Device_code_and_authorization_code_sign_ins_as_another_user_are_refused()
    {
        await using var rig = await TokenRig.StartAsync(new() { ["Accounts:mailbox:ClientSecret"] = null });
        rig.Entra.SignInUser = Intruder;

        string? shown = null;
        await Assert.ThrowsAsync<WrongUserSignedInException>(() => rig.Tokens.SignInWithDeviceCodeAsync("mailbox", prompt =>
        {
            shown = prompt.ToString();
            return Task.CompletedTask;
        }));
        Assert.Contains($"Sign in as {FakeEntraId.UserName}", shown);
        await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
    }

    [Fact]
    public async Task The_authorization_code_sign_in_hints_the_mailbox_user_and_refuses_another()
    {
        await using var rig = await TokenRig.StartAsync();
        var url = await rig.Tokens.AuthorizationUrlAsync("mailbox");
        Assert.Contains("login_hint=" + Uri.EscapeDataString(FakeEntraId.UserName), url.Query);
        Assert.DoesNotContain(' ', url.AbsoluteUri);

        rig.Entra.SignInUser = Intruder;
        await Assert.ThrowsAsync<WrongUserSignedInException>(() => rig.Tokens.RedeemAuthorizationCodeAsync("mailbox", FakeEntraId.AuthorizationCode));
        rig.Entra.SignInUser = FakeEntraId.UserName;
        Assert.Equal(FakeEntraId.UserName, (await rig.Tokens.RedeemAuthorizationCodeAsync("mailbox", FakeEntraId.AuthorizationCode)).UserName);
    }

    [Fact]
    public async Task A_cache_holding_two_users_serves_the_mailboxs_and_a_new_sign_in_replaces_every_other()
    {
        await using var rig = await TokenRig.StartAsync();
        // A cache from before sign-ins were checked: another user first, then the mailbox user.
        var app = (IByRefreshToken)rig.Tokens.Accounts.Single().App;
        await app.AcquireTokenByRefreshToken(["https://outlook.office.com/SMTP.Send"], rig.Entra.IssueRefreshToken(Intruder)).ExecuteAsync();
        await app.AcquireTokenByRefreshToken(["https://outlook.office.com/SMTP.Send"], rig.Entra.IssueRefreshToken()).ExecuteAsync();
        Assert.Equal(2, (await rig.Tokens.Accounts.Single().App.GetAccountsAsync()).Count());

        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName));
        Assert.Equal(FakeEntraId.UserName, rig.Tokens.AllUsage().Single().SignedInAs);

        await rig.ImportAsync();
        Assert.Equal([FakeEntraId.UserName], (await rig.Tokens.Accounts.Single().App.GetAccountsAsync()).Select(a => a.Username));
    }

    [Fact]
    public async Task Logout_empties_the_cache_and_the_account_needs_a_sign_in()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);

        await rig.Tokens.LogoutAsync("mailbox");

        Assert.False(File.Exists(rig.CacheFile()));
        var error = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
        Assert.Equal(TokenHealthState.NeedsSignIn, error.Health.State);
        rig.Restart();
        await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
    }

    [Fact]
    public async Task A_sign_out_and_a_new_sign_in_by_another_process_are_picked_up_and_not_overwritten()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var relay = rig.Tokens;
        await relay.GetAccessTokenAsync("mailbox", TokenResource.Smtp);

        // The CLI, another process on the same cache file: sign-out, then the relay no longer serves its held token.
        using (var cli = rig.Another()) await cli.Tokens.LogoutAsync("mailbox");
        await Assert.ThrowsAsync<TokenUnavailableException>(() => relay.GetAccessTokenAsync("mailbox", TokenResource.Smtp));

        // A new sign-in with the CLI: the relay picks it up at once, and its own refresh keeps what the CLI stored.
        var imported = rig.Entra.IssueRefreshToken();
        using (var cli = rig.Another()) await cli.Tokens.ImportRefreshTokenAsync("mailbox", imported);
        Assert.True(rig.Entra.IsValidAccessToken((await relay.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).Token, FakeEntraId.UserName));
        await relay.RenewAsync("mailbox");
        using var later = rig.Another();
        await later.Tokens.RenewAsync("mailbox");
        Assert.Equal(TokenHealthState.Healthy, later.Tokens.Health("mailbox").State);
    }
}
