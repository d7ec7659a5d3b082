using System.Text;
using OAuthRelay.Fakes;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tests.State;

/// <summary>
/// Relays sharing Redis share their accounts' tokens: one token request for the fleet, one sign-in for all, a rotated
/// refresh token used by the others next, health seen by all, and nothing readable in Redis.
/// </summary>
public sealed class SharedTokensTests
{
    [Fact]
    public async Task Sixty_concurrent_sends_over_two_relays_for_an_app_account_make_exactly_one_token_request()
    {
        await using var fleet = await RelayFleet.StartAsync(2, s =>
        {
            s["Relay:DeliveryMode"] = "Queue";
            s["Accounts:office:Flow"] = "App";
            s["Upstream:MessagesPerMinute"] = "60";
        });

        var replies = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => fleet.SendAsync(i % 2, $"message {i}")));
        await fleet.Office.WaitForMessagesAsync(60);

        Assert.All(replies, reply => Assert.Equal(250, reply.Code));
        Assert.Equal(60, fleet.Office.Messages.Count);
        Assert.Equal(1, fleet.Entra.TokenRequests);
        Assert.InRange(fleet.Office.MaxConcurrentConnections(fleet.Mailbox), 1, 3);
    }

    [Fact]
    public async Task An_account_imported_through_one_relay_sends_through_the_other_without_a_sign_in_of_its_own()
    {
        await using var fleet = await RelayFleet.StartAsync(2);
        await fleet.WaitForHealthAsync(1, TokenHealthState.NeedsSignIn);

        await fleet.Tokens(0).ImportRefreshTokenAsync("office", fleet.Entra.IssueRefreshToken());
        await fleet.WaitForHealthAsync(1, TokenHealthState.Healthy);
        var reply = await fleet.SendAsync(1, "through B");

        Assert.Equal(250, reply.Code);
        var received = Assert.Single(fleet.Office.Messages);
        Assert.Equal(("XOAUTH2", fleet.Mailbox), (received.Mechanism, received.AuthenticatedAs));
        Assert.Equal(1, fleet.Entra.TokenRequests); // the import; relay B took its token from the shared cache
    }

    [Fact]
    public async Task A_sign_in_through_one_relay_serves_the_other_even_when_something_else_read_the_new_cache_there_first()
    {
        await using var fleet = await RelayFleet.StartAsync(2);
        await fleet.WaitForHealthAsync(1, TokenHealthState.NeedsSignIn);

        await fleet.Tokens(0).ImportRefreshTokenAsync("office", fleet.Entra.IssueRefreshToken());
        // Relay B lists its accounts (as its status does) before its renewer looks: the new cache is loaded there first.
        Assert.True(await fleet.Tokens(1).Accounts.Single().HasSignInAsync());

        await fleet.Tokens(1).RenewAsync("office"); // not refused for the sign-in it lacked before
        Assert.Equal(TokenHealthState.Healthy, fleet.Tokens(1).Health("office").State);
    }

    [Fact]
    public async Task A_refresh_token_rotated_by_one_relay_is_the_one_the_other_presents_next_and_Redis_holds_no_readable_token()
    {
        await using var fleet = await RelayFleet.StartAsync(2);
        await fleet.Tokens(0).ImportRefreshTokenAsync("office", fleet.Entra.IssueRefreshToken());
        await fleet.WaitForHealthAsync(1, TokenHealthState.Healthy);

        await fleet.Tokens(1).RenewAsync("office");
        var rotatedByB = fleet.Entra.IssuedSecrets.Last(s => s.StartsWith("fake-rt-"));
        await fleet.Tokens(0).RenewAsync("office");

        // The fake Entra ID accepts each refresh token once: relay A renewing at all proves it had B's.
        Assert.Equal(rotatedByB, fleet.Entra.LastPresentedRefreshToken);
        Assert.Equal(TokenHealthState.Healthy, fleet.Tokens(0).Health("office").State);
        var redis = await fleet.Redis.InspectAsync();
        var stored = (byte[])(await redis.HashGetAsync("oauthrelay:value:{tokens:office}", "d"))!;
        var text = Encoding.Latin1.GetString(stored);
        Assert.StartsWith("ORTC1", text);
        Assert.All(fleet.Entra.IssuedSecrets, secret => Assert.DoesNotContain(secret, text));
        Assert.DoesNotContain("\"secret\"", text);
        Assert.DoesNotContain(FakeEntraId.UserName, text);
    }

    [Fact]
    public async Task A_needed_sign_in_seen_by_one_relay_shows_in_the_others_status_and_a_CLI_sign_in_on_the_shared_state_serves_both()
    {
        await using var fleet = await RelayFleet.StartAsync(2);
        await fleet.Tokens(0).ImportRefreshTokenAsync("office", fleet.Entra.IssueRefreshToken());
        await fleet.WaitForHealthAsync(1, TokenHealthState.Healthy);

        fleet.Entra.RevokeAllRefreshTokens();
        await Assert.ThrowsAsync<OAuthRelay.Tokens.TokenUnavailableException>(() => fleet.Tokens(0).RenewAsync("office"));
        await fleet.WaitForHealthAsync(1, TokenHealthState.NeedsSignIn);
        var account = (await fleet.StatusAsync(1)).GetProperty("accounts")[0];
        Assert.Equal(("NeedsSignIn", "70008"), (account.GetProperty("state").GetString(), account.GetProperty("errorCode").GetString()));

        var config = Path.Combine(fleet[0].StateFolder, "relay.json");
        ConfigFiles.WriteJson(config, fleet.Settings[0]);
        var refreshTokenFile = Path.Combine(fleet[0].StateFolder, "refresh-token");
        await File.WriteAllTextAsync(refreshTokenFile, fleet.Entra.IssueRefreshToken());
        var (exit, output, _) = await CommandLineRun.RunAsync("import-refresh-token", "office", "--config", config, "--file", refreshTokenFile);

        Assert.True(exit == 0, output);
        await fleet.WaitForHealthAsync(0, TokenHealthState.Healthy);
        await fleet.WaitForHealthAsync(1, TokenHealthState.Healthy);
        Assert.Equal(250, (await fleet.SendAsync(1, "after the CLI sign-in")).Code);
        Assert.Equal(250, (await fleet.SendAsync(0, "after the CLI sign-in, through A")).Code);
    }
}
