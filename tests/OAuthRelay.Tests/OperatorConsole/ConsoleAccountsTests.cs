using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Fakes;
using OAuthRelay.OperatorConsole;
using OAuthRelay.Tokens;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>The Accounts page signs an account in again, by device code or a pasted refresh token, and never shows a token.</summary>
public sealed class ConsoleAccountsTests
{
    private static void AssertNoSecrets(ConsoleRig console, string page)
    {
        Assert.DoesNotContain(console.Rig.Entra.IssuedSecrets, page.Contains);
        Assert.DoesNotContain(ConsoleRig.AdminPasswordHash, page);
        Assert.DoesNotContain("fake-device-code", page);
    }

    [Fact]
    public async Task Import_takes_the_seeds_curl_output_and_reports_who_signed_in_without_the_token()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        var refreshToken = console.Rig.Entra.IssueRefreshToken();
        var curlOutput = JsonSerializer.Serialize(new { token_type = "Bearer", scope = "https://outlook.office.com/SMTP.Send offline_access", expires_in = 3599, access_token = "fake-at-from-curl", refresh_token = refreshToken });

        var page = await client.ChangeAsync("/accounts", "Import", new Dictionary<string, string> { ["account"] = "office", ["pasted"] = curlOutput });

        Assert.StartsWith($"Account office: signed in as {FakeEntraId.UserName}; scopes", ConsoleClient.Message(page, "status"));
        Assert.Equal(refreshToken, console.Rig.Entra.LastPresentedRefreshToken);
        Assert.DoesNotContain("fake-at-from-curl", page);
        AssertNoSecrets(console, page);
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains($"Audit: admin at 127.0.0.1 imported a refresh token for account office: signed in as {FakeEntraId.UserName}"));
        Assert.DoesNotContain(console.Rig.Relay.Logs.Lines, l => l.Contains(refreshToken));
    }

    [Theory]
    [InlineData("office", "", "Import failed: No refresh token given.")]
    [InlineData("office", "{\"error\":\"invalid_grant\"}", "Import failed: The JSON is an error from Entra ID (invalid_grant)")]
    [InlineData("office", "fake-rt-never-issued", "Import failed: office: NeedsSignIn (70008)")]
    [InlineData("nobody", "fake-rt-x", "There is no account 'nobody' under Accounts.")]
    public async Task A_bad_import_is_rejected_with_a_message(string account, string pasted, string message)
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();

        var page = await client.ChangeAsync("/accounts", "Import", new Dictionary<string, string> { ["account"] = account, ["pasted"] = pasted });

        Assert.StartsWith(message, ConsoleClient.Message(page, "alert"));
        Assert.DoesNotContain("fake-rt-never-issued", page);
    }

    [Fact]
    public async Task Device_code_sign_in_shows_the_code_and_the_address_then_the_user_and_scopes()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        console.Rig.Entra.RevokeAllRefreshTokens();
        await Assert.ThrowsAsync<TokenUnavailableException>(() => console.Rig.Relay.Services.GetRequiredService<TokenService>().RenewAsync("office"));
        Assert.Contains("data-state=\"NeedsSignIn\"", await client.PageAsync("/accounts"));

        console.Rig.Entra.Hold(); // the person has not entered the code yet
        var requests = console.Rig.Entra.TokenRequests;
        await client.ChangeAsync("/accounts", "SignIn", new Dictionary<string, string> { ["account"] = "office" });
        var signIn = console.Rig.Relay.Services.GetRequiredService<DeviceCodeSignIns>().For("office")!;
        await console.Rig.Entra.WaitForRequestsAsync(requests + 1); // the relay polls for the outcome: the code is out
        var waiting = await client.PageAsync("/accounts");
        Assert.Contains("<strong class=\"user-code\">FAKE-CODE</strong>", waiting);
        Assert.Contains("href=\"https://microsoft.com/devicelogin\"", waiting);
        Assert.Contains("<noscript><meta http-equiv=\"refresh\"", waiting);
        Assert.Contains("data-refresh=\"1\"", waiting);

        console.Rig.Entra.Release();
        await signIn.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        var done = await client.PageAsync("/accounts");

        Assert.Contains($"Signed in as <strong>{FakeEntraId.UserName}</strong>; scopes", done);
        Assert.Contains("data-state=\"Healthy\"", done);
        AssertNoSecrets(console, done);
        Assert.Contains(console.Rig.Relay.Logs.Lines, l => l.Contains("Audit: admin at 127.0.0.1 started a device code sign-in for account office"));
    }

    [Fact]
    public async Task A_waiting_device_code_sign_in_can_be_cancelled()
    {
        await using var console = await ConsoleRig.StartAsync();
        using var client = await console.SignedInClientAsync();
        console.Rig.Entra.Hold();
        await client.ChangeAsync("/accounts", "SignIn", new Dictionary<string, string> { ["account"] = "office" });
        var signIn = console.Rig.Relay.Services.GetRequiredService<DeviceCodeSignIns>().For("office")!;

        var page = await client.ChangeAsync("/accounts", "Cancel", new Dictionary<string, string> { ["account"] = "office" });
        await signIn.Finished.WaitAsync(TimeSpan.FromSeconds(30));
        console.Rig.Entra.Release();

        Assert.Equal("The sign-in of account office is cancelled.", ConsoleClient.Message(page, "status"));
        Assert.Contains("The last sign-in failed: Cancelled.", await client.PageAsync("/accounts"));
        Assert.Equal("No sign-in of account office is waiting.", ConsoleClient.Message(await client.ChangeAsync("/accounts", "Cancel", new Dictionary<string, string> { ["account"] = "office" }), "alert"));
        Assert.Equal("There is no account 'nobody' under Accounts.", ConsoleClient.Message(await client.ChangeAsync("/accounts", "SignIn", new Dictionary<string, string> { ["account"] = "nobody" }), "alert"));
    }
}
