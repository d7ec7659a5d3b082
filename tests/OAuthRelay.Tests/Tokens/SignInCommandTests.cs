using System.Text.Json;
using OAuthRelay.Cli;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Fakes;
using OAuthRelay.Tokens;

namespace OAuthRelay.Tests.Tokens;

/// <summary>The CLI sign-in commands print what they obtained and never a token.</summary>
public sealed class SignInCommandTests
{
    [Fact]
    public async Task Import_takes_the_seeds_curl_json_from_standard_input()
    {
        await using var rig = await TokenRig.StartAsync();
        var refreshToken = rig.Entra.IssueRefreshToken();
        var curlOutput = JsonSerializer.Serialize(new { token_type = "Bearer", scope = "https://outlook.office.com/SMTP.Send", expires_in = 3599, access_token = "fake-at-from-curl", refresh_token = refreshToken });
        var output = new StringWriter();

        var exit = await new SignInCommands(rig.Tokens, new StringReader(curlOutput), output).ImportRefreshTokenAsync("mailbox", null, default);

        Assert.Equal(0, exit);
        var printed = output.ToString();
        Assert.Contains("Account mailbox: signed in as " + FakeEntraId.UserName, printed);
        Assert.Contains("SMTP.Send", printed);
        Assert.Contains("valid until", printed);
        Assert.DoesNotContain(rig.Entra.IssuedSecrets, s => printed.Contains(s));
        Assert.Equal(refreshToken, rig.Entra.LastPresentedRefreshToken);
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
    }

    [Fact]
    public async Task Import_of_a_revoked_token_prints_the_health_and_the_action()
    {
        await using var rig = await TokenRig.StartAsync();
        var output = new StringWriter();
        var exit = await new SignInCommands(rig.Tokens, new StringReader("fake-rt-never-issued"), output).ImportRefreshTokenAsync("mailbox", null, default);

        Assert.Equal(1, exit);
        Assert.Contains("NeedsSignIn (70008)", output.ToString());
    }

    [Fact]
    public async Task Login_with_an_authorization_code_prints_the_url_and_accepts_the_pasted_redirect()
    {
        await using var rig = await TokenRig.StartAsync();
        var pasted = $"https://login.microsoftonline.com/common/oauth2/nativeclient?code={FakeEntraId.AuthorizationCode}&session_state=abc";
        var output = new StringWriter();

        var exit = await new SignInCommands(rig.Tokens, new StringReader(pasted + "\n"), output).AuthorizationCodeAsync("mailbox", default);

        Assert.Equal(0, exit);
        Assert.Contains("/oauth2/v2.0/authorize?", output.ToString());
        Assert.Contains("signed in as " + FakeEntraId.UserName, output.ToString());
    }

    [Fact]
    public async Task Login_with_a_device_code_prints_the_instructions()
    {
        await using var rig = await TokenRig.StartAsync(new() { ["Accounts:mailbox:ClientSecret"] = null });
        var output = new StringWriter();
        var exit = await new SignInCommands(rig.Tokens, TextReader.Null, output).DeviceCodeAsync("mailbox", default);

        Assert.Equal(0, exit);
        Assert.Contains("enter the code FAKE-CODE", output.ToString());
    }

    [Theory]
    [InlineData("  0.AbC-refresh  \n", "0.AbC-refresh")]
    [InlineData("{\"refresh_token\":\"0.AbC\",\"access_token\":\"x\"}", "0.AbC")]
    public void Refresh_token_input_is_raw_text_or_token_json(string text, string expected) =>
        Assert.Equal(expected, SignInInput.RefreshToken(text));

    [Fact]
    public void An_error_json_is_reported_not_imported() =>
        Assert.Contains("invalid_grant", Assert.Throws<FormatException>(() => SignInInput.RefreshToken("{\"error\":\"invalid_grant\"}")).Message);

    [Theory]
    [InlineData("https://login.microsoftonline.com/common/oauth2/nativeclient?code=0.ASY-code&session_state=s", "0.ASY-code")]
    [InlineData("http://localhost/?code=abc#", "abc")]
    [InlineData("0.ASY-code", "0.ASY-code")]
    public void Authorization_code_input_is_a_redirect_url_or_the_code(string text, string expected) =>
        Assert.Equal(expected, SignInInput.AuthorizationCode(text));

    [Fact]
    public async Task Import_of_another_users_token_is_refused_with_who_signed_in_and_who_must()
    {
        await using var rig = await TokenRig.StartAsync();
        var output = new StringWriter();

        var exit = await new SignInCommands(rig.Tokens, new StringReader(rig.Entra.IssueRefreshToken("intern@contoso.test")), output).ImportRefreshTokenAsync("mailbox", null, default);

        Assert.Equal(2, exit);
        Assert.Contains("signed in as intern@contoso.test, but the account sends as " + FakeEntraId.UserName, output.ToString());
    }

    [Fact]
    public async Task Logout_removes_the_cached_tokens_and_says_how_to_sign_in_again()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var output = new StringWriter();

        Assert.Equal(0, await new SignInCommands(rig.Tokens, TextReader.Null, output).LogoutAsync("mailbox", default));

        Assert.False(File.Exists(rig.CacheFile()));
        Assert.Contains("Account mailbox: signed out", output.ToString());
        Assert.Contains("import-refresh-token mailbox", output.ToString());
    }
}
