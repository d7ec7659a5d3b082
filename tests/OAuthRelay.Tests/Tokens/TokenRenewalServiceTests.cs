using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OAuthRelay.Tokens;
using OAuthRelay.Tokens.Configuration;

namespace OAuthRelay.Tests.Tokens;

public sealed class TokenRenewalServiceTests
{
    [Fact]
    public async Task Each_renewal_interval_redeems_the_refresh_token_once()
    {
        await using var rig = await TokenRig.StartAsync();
        await rig.ImportAsync();
        var imported = rig.Entra.LastPresentedRefreshToken;
        var options = Options.Create(new TokenServiceOptions { RenewalInterval = TimeSpan.FromHours(12) });
        using var renewal = new TokenRenewalService(rig.Tokens, options, rig.Time, NullLogger<TokenRenewalService>.Instance);
        await renewal.StartAsync(default);
        var before = rig.Entra.TokenRequests;

        // The start-up check finds a valid cached token (no request); then the 12-hour timer is armed and fired.
        await rig.Time.FireTimerAsync(TimeSpan.FromHours(12));
        await rig.Entra.WaitForRequestsAsync(before + 1);
        await renewal.StopAsync(default);
        Assert.Equal(before + 1, rig.Entra.TokenRequests);
        Assert.NotEqual(imported, rig.Entra.LastPresentedRefreshToken);
    }
}
