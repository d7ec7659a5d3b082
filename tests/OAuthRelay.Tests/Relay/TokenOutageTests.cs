using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;
using OAuthRelay.Tests.Infrastructure;

namespace OAuthRelay.Tests.Relay;

/// <summary>
/// An Entra ID outage near the end of a token's life, end to end on a fake clock: mail flows while the token is valid,
/// the same whether the account sends over SMTP or through Microsoft Graph.
/// </summary>
public sealed partial class TokenOutageTests
{
    [Theory]
    [InlineData("Smtp")]
    [InlineData("Graph")]
    public async Task With_nine_minutes_of_token_left_mail_flows_through_an_outage_then_454_and_an_idle_relay_recovers_within_one_back_off_step(string transport)
    {
        var time = new SignalingTimeProvider();
        await using var rig = transport == "Graph"
            ? await RelayRig.StartGraphAsync(s => s["Admin:Port"] = "0", time)
            : await RelayRig.StartAsync(s => s["Admin:Port"] = "0", time: time);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}") };

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: before\r\n\r\nbody")).Code);

        // Entra ID goes down; 51 minutes into the 60-minute token, the early refresh fails.
        rig.Entra.Failure = (503, "temporarily_unavailable", 0);
        time.Advance(TimeSpan.FromMinutes(51));
        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: during the outage\r\n\r\nbody")).Code);
        Assert.Equal(2, rig.DeliveredAsAccount);
        var health = await http.GetStringAsync("/status");
        Assert.Contains("Degraded", health);
        Assert.Contains("Until then the current access token is used", health);

        // Past a minute before expiry the token is no longer handed out.
        time.Advance(TimeSpan.FromMinutes(8) + TimeSpan.FromSeconds(30));
        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal((454, "4.7.0"), (await client.SendMessageOrFirstRefusalAsync(rig.Mailbox, "someone@example.test", "Subject: after expiry\r\n\r\nbody")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);

        // Entra ID recovers. Nobody sends; the back-off step in force passes and the relay is ready again.
        rig.Entra.Failure = null;
        var step = LastBackOffStep(rig.Relay.Logs);
        time.Advance(step);
        await rig.Relay.Logs.WaitForLineAsync("token health is now Healthy (was Degraded)");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    /// <summary>The wait the last failed token request set ("next attempt in 00:00:20").</summary>
    private static TimeSpan LastBackOffStep(LogCollector logs) =>
        TimeSpan.Parse(NextAttempt().Match(logs.Lines.Last(l => l.Contains("next attempt in"))).Groups[1].Value);

    [GeneratedRegex(@"next attempt in (\S+)")]
    private static partial Regex NextAttempt();
}
