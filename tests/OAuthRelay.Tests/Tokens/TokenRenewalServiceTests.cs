using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tests.Tokens;

/// <summary>The renewer keeps tokens fresh and health true on a relay that sends nothing (fake clock).</summary>
public sealed class TokenRenewalServiceTests
{
    private static TokenRenewalService Renewer(TokenRig rig, TimeSpan? renewalInterval = null) =>
        new(rig.Tokens, Options.Create(new TokenServiceOptions { RenewalInterval = renewalInterval ?? TimeSpan.FromHours(12) }), rig.Time, NullLogger<TokenRenewalService>.Instance);

    [Fact]
    public async Task A_held_token_is_refreshed_as_it_enters_the_margin_without_any_caller()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var held = await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        var refreshed = Refreshed(rig, held);
        using var renewer = Renewer(rig);
        await renewer.StartAsync(default);
        var before = rig.Entra.TokenRequests;

        await rig.Time.FireTimerAsync(TimeSpan.FromMinutes(49), TimeSpan.FromMinutes(50)); // 60-minute tokens, 10-minute margin
        await refreshed.WaitAsync(TimeSpan.FromSeconds(15));
        await renewer.StopAsync(default);

        Assert.NotEqual(held.Token, (await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp)).Token);
        Assert.Equal(before + 1, rig.Entra.TokenRequests);
    }

    /// <summary>Completes when the account holds a token that expires later than <paramref name="held"/>.</summary>
    private static Task Refreshed(TokenRig rig, AccessToken held)
    {
        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Tokens.Accounts.Single().Changed += () =>
        {
            if (rig.Tokens.AllUsage().Single().ExpiresOn > held.ExpiresOn) refreshed.TrySetResult();
        };
        return refreshed.Task;
    }

    [Fact]
    public async Task Each_renewal_interval_redeems_the_refresh_token_even_while_the_access_token_is_fresh()
    {
        await using var rig = await TokenRig.StartAsync();
        rig.Entra.AccessTokenLifetimeSeconds = 24 * 3600;
        await rig.ImportAsync();
        var imported = rig.Entra.LastPresentedRefreshToken;
        using var renewer = Renewer(rig);
        await renewer.StartAsync(default);
        var before = rig.Entra.TokenRequests;

        // The start-up check finds a valid cached token (no request); the next thing due is the 12-hour renewal.
        await rig.Time.FireTimerAsync(TimeSpan.FromHours(12));
        await rig.Entra.WaitForRequestsAsync(before + 1);
        await renewer.StopAsync(default);
        Assert.Equal(before + 1, rig.Entra.TokenRequests);
        Assert.NotEqual(imported, rig.Entra.LastPresentedRefreshToken);
    }

    [Fact]
    public async Task After_an_outage_an_idle_account_is_healthy_again_one_back_off_step_after_Entra_recovers()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        rig.Entra.Failure = (503, "temporarily_unavailable", 0);
        using var renewer = Renewer(rig);
        await renewer.StartAsync(default);

        // The refresh at the margin fails; the renewer retries after 5 s and 10 s while Entra ID is down, then plans 20 s.
        await rig.Time.FireTimerAsync(TimeSpan.FromMinutes(49), TimeSpan.FromMinutes(50));
        await rig.Time.FireTimerAsync(TimeSpan.FromSeconds(5));
        await rig.Time.FireTimerAsync(TimeSpan.FromSeconds(10));
        await rig.Time.WaitForTimerAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(TokenHealthState.Degraded, rig.Tokens.Health("mailbox").State);

        // Entra ID recovers: with nobody sending, the account is healthy at the next step of the back-off.
        rig.Entra.Failure = null;
        rig.Time.Advance(TimeSpan.FromSeconds(20));
        await rig.Logs.WaitForLineAsync("token health is now Healthy");
        await renewer.StopAsync(default);
        Assert.Equal(TokenHealthState.Healthy, rig.Tokens.Health("mailbox").State);
    }
}
