using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Cli;
using OAuthRelay.Tokens;
using OAuthRelay.Upstream;

namespace OAuthRelay.Tests.Relay;

/// <summary>test-send against the fake Office 365: every step printed, the failing one named, no token printed.</summary>
public sealed class TestSendTests
{
    private static async Task<(int Exit, string Output)> RunAsync(RelayRig rig)
    {
        var output = new StringWriter();
        var send = new TestSend(rig.Relay.Services.GetRequiredService<TokenService>(), rig.Relay.Services.GetRequiredService<UpstreamConnector>(), output);
        return (await send.RunAsync("office", "someone@example.test", CancellationToken.None), output.ToString());
    }

    [Fact]
    public async Task Prints_each_step_and_the_upstream_accepts_the_message()
    {
        await using var rig = await RelayRig.StartAsync();

        var (exit, output) = await RunAsync(rig);

        Assert.Equal(0, exit);
        Assert.Matches(@"token:   ok for relay@contoso.test, expires .*\n", output);
        Assert.Contains($"connect: 127.0.0.1:{rig.Office.EndPoint.Port} (StartTls)", output);
        Assert.Matches(@"tls:     Tls1[23] ", output);
        Assert.Contains("auth:    XOAUTH2 as relay@contoso.test accepted", output);
        Assert.Contains("send:    accepted: 2.0.0 OK", output);
        var received = Assert.Single(rig.Office.Messages);
        Assert.Equal("XOAUTH2", received.Mechanism);
        Assert.Equal(["someone@example.test"], received.To);
        foreach (var secret in rig.Entra.IssuedSecrets) Assert.DoesNotContain(secret, output);
    }

    [Fact]
    public async Task Names_the_step_that_failed()
    {
        await using var rig = await RelayRig.StartAsync();
        rig.Office.XOAuth2Reply = "535 5.7.3 Authentication unsuccessful";

        var (exit, output) = await RunAsync(rig);

        Assert.Equal(1, exit);
        Assert.Contains("auth:    FAILED: ", output);
        Assert.Contains("5.7.3 Authentication unsuccessful", output);
        Assert.Empty(rig.Office.Messages);
    }
}
