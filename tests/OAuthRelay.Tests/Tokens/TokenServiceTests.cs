using System.Text;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Fakes;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tests.Tokens;

/// <summary>The token service against a fake Entra ID over real HTTPS on loopback.</summary>
public sealed class TokenServiceTests
{
    private static readonly TimeSpan NearExpiry = TimeSpan.FromMinutes(55); // 5 minutes left of 60: inside the 10-minute margin

    [Fact]
    public async Task An_imported_refresh_token_gives_a_working_access_token()
    {
        await using var rig = await TokenRig.StartAsync();
        var signIn = await rig.ImportAsync();
        Assert.Equal(FakeEntraId.UserName, signIn.UserName);
        Assert.Contains("https://outlook.office.com/SMTP.Send", signIn.Scopes);
        Assert.DoesNotContain(rig.Entra.IssuedSecrets, secret => signIn.ToString().Contains(secret));

        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName));
        Assert.Equal(1, rig.Entra.TokenRequests);
        Assert.Equal(TokenHealthState.Healthy, rig.Tokens.Health("mailbox").State);
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task A_valid_token_is_reused_without_a_request()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var first = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        var requests = rig.Entra.TokenRequests;

        var second = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.Equal(first.Token, second.Token);
        Assert.Equal(requests, rig.Entra.TokenRequests);
    }

    [Fact]
    public async Task Near_expiry_one_refresh_happens_and_the_rotated_refresh_token_is_persisted()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var first = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        var requests = rig.Entra.TokenRequests;

        rig.Time.Advance(NearExpiry);
        var refreshed = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.NotEqual(first.Token, refreshed.Token);
        Assert.Equal(requests + 1, rig.Entra.TokenRequests);
        var presented = rig.Entra.LastPresentedRefreshToken;

        // After a restart, the next refresh presents the refresh token the last one rotated in, read from disk.
        rig.Restart();
        await rig.Tokens.RenewAsync("mailbox");
        Assert.NotEqual(presented, rig.Entra.LastPresentedRefreshToken);
        Assert.Equal(TokenHealthState.Healthy, rig.Tokens.Health("mailbox").State);
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task A_hundred_concurrent_callers_cause_exactly_one_token_request()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        rig.Time.Advance(NearExpiry);
        var before = rig.Entra.TokenRequests;

        rig.Entra.Hold();
        var callers = Enumerable.Range(0, 100).Select(_ => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).ToArray();
        await rig.Entra.WaitForRequestsAsync(before + 1);
        rig.Entra.Release();
        var tokens = await Task.WhenAll(callers);

        Assert.Single(tokens.Select(t => t.Token).Distinct());
        Assert.Equal(before + 1, rig.Entra.TokenRequests);
    }

    [Fact]
    public async Task After_a_restart_a_cached_valid_token_needs_no_request()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var before = rig.Entra.TokenRequests;

        rig.Restart();
        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName));
        Assert.Equal(before, rig.Entra.TokenRequests);
    }

    [Fact]
    public async Task A_revoked_refresh_token_means_needs_sign_in_with_aadsts_70008_and_the_valid_token_serves_until_it_expires()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var held = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        rig.Entra.RevokeAllRefreshTokens();
        rig.Time.Advance(NearExpiry);

        Assert.Equal(held.Token, (await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).Token);
        var health = rig.Tokens.Health("mailbox");
        Assert.Equal((TokenHealthState.NeedsSignIn, "70008"), (health.State, health.ErrorCode));
        Assert.Contains("import-refresh-token mailbox", health.Action);
        Assert.Contains($"it expires {held.ExpiresOn:u}", health.Action);

        rig.Time.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(1)); // less than the safety minute left
        var error = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
        Assert.Equal(TokenHealthState.NeedsSignIn, error.Health.State);
        Assert.Single(rig.Logs.Lines, l => l.Contains("token health is now NeedsSignIn"));
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task Entra_down_means_degraded_with_back_off_the_token_and_refresh_token_kept_and_recovery_after()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        rig.Restart();
        var held = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp); // MSAL's cache holds the rotated refresh token
        rig.Time.Advance(NearExpiry);
        rig.Entra.Failure = (503, "temporarily_unavailable", 0);

        Assert.Equal(held.Token, (await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).Token);
        Assert.Equal(TokenHealthState.Degraded, rig.Tokens.Health("mailbox").State);
        var requestsWhileDown = rig.Entra.TokenRequests;

        // Back-off: no request until it has passed, even though Entra ID is back; the held token is served meanwhile.
        rig.Entra.Failure = null;
        Assert.Equal(held.Token, (await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).Token);
        Assert.Equal(requestsWhileDown, rig.Entra.TokenRequests);

        rig.Time.Advance(TimeSpan.FromSeconds(5));
        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.NotEqual(held.Token, token.Token);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName)); // the kept refresh token still worked
        Assert.Equal(TokenHealthState.Healthy, rig.Tokens.Health("mailbox").State);
        Assert.Single(rig.Logs.Lines, l => l.Contains("token health is now Degraded"));
        Assert.Single(rig.Logs.Lines, l => l.Contains("token health is now Healthy"));
    }

    [Fact]
    public async Task Without_a_valid_token_an_outage_is_degraded_and_refused()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        rig.Time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(30));
        rig.Entra.Failure = (503, "temporarily_unavailable", 0);

        var down = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
        Assert.Equal(TokenHealthState.Degraded, down.Health.State);
    }

    [Fact]
    public async Task Throttling_is_degraded_and_waits_as_long_as_retry_after_says()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        rig.Time.Advance(NearExpiry);
        rig.Entra.Failure = (429, "temporarily_unavailable", 0);
        rig.Entra.RetryAfterSeconds = 120;

        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.Equal((TokenHealthState.Degraded, "http_429"), (rig.Tokens.Health("mailbox").State, rig.Tokens.Health("mailbox").ErrorCode));
        var requests = rig.Entra.TokenRequests;

        // Well past the usual 5 s back-off but inside Retry-After: no request goes out. (Recovery after a back-off is
        // covered with a 503 above; after a 429 MSAL also throttles on the real clock, which this test cannot move.)
        for (var second = 0; second < 110; second += 10)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(10));
            await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        }

        Assert.Equal(requests, rig.Entra.TokenRequests);
    }

    [Fact]
    public async Task A_wrong_client_secret_means_misconfigured_with_aadsts_7000215()
    {
        await using var rig = await TokenRig.StartAsync(new() { ["Accounts:mailbox:ClientSecret"] = "not-the-right-secret" });
        var error = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.ImportAsync());
        Assert.Equal(TokenHealthState.Misconfigured, error.Health.State);
        Assert.Equal("7000215", error.Health.ErrorCode);
        Assert.DoesNotContain("not-the-right-secret", rig.Logs.All + error);
    }

    [Fact]
    public async Task Without_any_sign_in_the_account_needs_sign_in()
    {
        await using var rig = await TokenRig.StartAsync();
        var error = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
        Assert.Equal(TokenHealthState.NeedsSignIn, error.Health.State);
        Assert.Equal(0, rig.Entra.TokenRequests);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_cache_file_holds_no_token_in_any_greppable_encoding_and_is_private()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        rig.Time.Advance(NearExpiry);
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.Equal(2, rig.Entra.TokenRequests); // import, then a refresh that rotated the refresh token

        var bytes = await File.ReadAllBytesAsync(rig.CacheFile());
        var asText = new[] { Encoding.UTF8.GetString(bytes), Encoding.Unicode.GetString(bytes), Encoding.Latin1.GetString(bytes), Convert.ToHexString(bytes), Convert.ToBase64String(bytes) };
        foreach (var secret in rig.Entra.IssuedSecrets)
        {
            var forms = new[] { secret, Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), secret[8..20] };
            foreach (var text in asText)
                foreach (var form in forms)
                    Assert.DoesNotContain(form, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rig.CacheFile()));
    }

    [Fact]
    public async Task A_corrupt_cache_file_is_reported_and_left_untouched()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var bytes = await File.ReadAllBytesAsync(rig.CacheFile());
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(rig.CacheFile(), bytes);
        rig.Restart();

        var error = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp));
        Assert.Equal(TokenHealthState.Misconfigured, error.Health.State);
        Assert.Equal("cache_unreadable", error.Health.ErrorCode);
        Assert.Contains(rig.CacheFile(), error.Health.Action);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(rig.CacheFile()));
    }

    [Fact]
    public async Task The_app_flow_uses_client_credentials_and_caches_the_token()
    {
        await using var rig = await TokenRig.StartAsync(new() { ["Accounts:mailbox:Flow"] = "App" });
        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName));
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.Equal(1, rig.Entra.TokenRequests);
        rig.AssertNoSecretsLogged();
    }

    [Fact]
    public async Task A_rejected_token_is_replaced_once_for_all_who_saw_it()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var rejected = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        var before = rig.Entra.TokenRequests;

        var replacements = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => rig.Tokens.ReplaceAccessTokenAsync("mailbox", TokenResource.Smtp, rejected)));
        Assert.All(replacements, r => Assert.NotEqual(rejected.Token, r.Token));
        Assert.Single(replacements.Select(r => r.Token).Distinct());
        Assert.Equal(before + 1, rig.Entra.TokenRequests);
    }

    [Fact]
    public async Task Device_code_sign_in_shows_the_code_and_stores_the_tokens()
    {
        await using var rig = await TokenRig.StartAsync(new() { ["Accounts:mailbox:ClientSecret"] = null });
        DeviceCodePrompt? shown = null;
        var signIn = await rig.Tokens.SignInWithDeviceCodeAsync("mailbox", prompt =>
        {
            shown = prompt;
            return Task.CompletedTask;
        });
        Assert.Equal("FAKE-CODE", shown?.UserCode);
        Assert.Equal("https://microsoft.com/devicelogin", shown?.VerificationUrl);
        Assert.Equal(FakeEntraId.UserName, signIn.UserName);
        var token = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.True(rig.Entra.IsValidAccessToken(token.Token, FakeEntraId.UserName));
    }

    [Fact]
    public async Task Authorization_code_sign_in_builds_the_url_and_redeems_the_code()
    {
        await using var rig = await TokenRig.StartAsync();
        var url = await rig.Tokens.AuthorizationUrlAsync("mailbox");
        Assert.StartsWith(rig.Entra.BaseAddress + "contoso.test/oauth2/v2.0/authorize", url.ToString());
        Assert.Contains("client_id=11111111-2222-3333-4444-555555555555", url.Query);
        Assert.Contains("SMTP.Send", Uri.UnescapeDataString(url.Query));

        var signIn = await rig.Tokens.RedeemAuthorizationCodeAsync("mailbox", FakeEntraId.AuthorizationCode);
        Assert.Equal(FakeEntraId.UserName, signIn.UserName);
        rig.AssertNoSecretsLogged();
    }
}
