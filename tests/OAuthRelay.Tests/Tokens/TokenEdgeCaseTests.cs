using OAuthRelay.Tokens.Configuration;
using OAuthRelay.Fakes;
using OAuthRelay.Tokens.Health;

namespace OAuthRelay.Tests.Tokens;

/// <summary>Tokens that live shorter than the margin, and a token endpoint behind a certificate nobody configured.</summary>
public sealed class TokenEdgeCaseTests
{
    [Fact]
    public async Task Tokens_living_shorter_than_twice_the_margin_are_renewed_at_half_their_life_with_one_warning()
    {
        await using var rig = await TokenRig.StartAsync();
        rig.Entra.AccessTokenLifetimeSeconds = 8 * 60; // RefreshMargin is 10 minutes
        await rig.ImportAsync();
        var before = rig.Entra.TokenRequests;

        // One use every 10 seconds for 3 minutes: all served by one token (4 minutes is half its life).
        for (var use = 0; use < 18; use++)
        {
            await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
            rig.Time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(before, rig.Entra.TokenRequests);
        rig.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(5));
        await rig.Tokens.GetAccessTokenAsync("mailbox", TokenResource.Smtp);
        Assert.Equal(before + 1, rig.Entra.TokenRequests);
        Assert.Single(rig.Logs.Lines, l => l.Contains("less than twice Tokens:RefreshMargin"));
    }

    [Fact]
    public async Task An_untrusted_certificate_at_the_token_endpoint_is_reported_by_name_not_as_unreachable()
    {
        await using var rig = await TokenRig.StartAsync(new() { ["Tokens:TrustedCaFile"] = null });

        var error = await Assert.ThrowsAsync<OAuthRelay.Tokens.TokenUnavailableException>(() => rig.ImportAsync());

        Assert.Equal((TokenHealthState.Misconfigured, "untrusted_certificate"), (error.Health.State, error.Health.ErrorCode));
        Assert.Contains("CN=localhost", error.Health.Action);
        Assert.Contains("Tokens:TrustedCaFile", error.Health.Action);
        Assert.DoesNotContain("unreachable", error.Health.Action);
        Assert.Equal(0, rig.Entra.TokenRequests);
    }

    [Fact]
    public async Task The_token_endpoint_behind_a_private_ca_in_the_trusted_ca_file_works()
    {
        await using var rig = await TokenRig.StartAsync(); // the rig trusts the fake through Tokens:TrustedCaFile
        var signIn = await rig.ImportAsync();
        Assert.Equal(FakeEntraId.UserName, signIn.UserName);
    }
}
