using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Relay;

/// <summary>When Exchange refuses the relay's tokens, readiness, health, status and metrics say so, with what to do.</summary>
public sealed class UpstreamRefusalHealthTests
{
    private const string SmtpAuthDisabled = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled";

    private static Task<RelayRig> StartAsync(TimeProvider? time = null) => RelayRig.StartAsync(s => s["Admin:Port"] = "0", time: time);

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(RelayRig rig, string path)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}{path}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The account's tokenFailures in /status: failed token requests and tokens the upstream refused.</summary>
    private static async Task<long> TokenFailuresAsync(RelayRig rig)
    {
        using var status = System.Text.Json.JsonDocument.Parse((await GetAsync(rig, "/status")).Body);
        return status.RootElement.GetProperty("accounts")[0].GetProperty("tokenFailures").GetInt64();
    }

    [Fact]
    public async Task Smtp_auth_disabled_for_the_tenant_makes_readyz_503_with_the_account_and_the_action_and_is_counted()
    {
        await using var rig = await StartAsync();
        var failuresBefore = await TokenFailuresAsync(rig);
        rig.Office.XOAuth2Reply = SmtpAuthDisabled;
        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal((454, "4.7.0"), (await client.SendMessageOrFirstRefusalAsync(rig.Mailbox, "someone@example.test", "Subject: x\r\n\r\nbody")).Status);

        var (status, body) = await GetAsync(rig, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("office: Unauthorized (5.7.139)", body);
        Assert.Contains($"Set-CASMailbox {rig.Mailbox} -SmtpClientAuthenticationDisabled $false", body);
        Assert.Contains("oauthrelay_upstream_token_refusals_total{account=\"office\"} 1", (await GetAsync(rig, "/metrics")).Body);
        Assert.Equal(failuresBefore + 1, await TokenFailuresAsync(rig));

        // Fixed in Exchange: the next message goes through and the relay is ready again.
        rig.Office.XOAuth2Reply = null;
        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(250, (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: y\r\n\r\nbody")).Code);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(rig, "/readyz")).Status);
    }

    [Fact]
    public async Task A_refusal_clears_by_itself_through_the_login_probe_without_any_client()
    {
        var time = new SignalingTimeProvider();
        await using var rig = await StartAsync(time);
        rig.Office.XOAuth2Reply = SmtpAuthDisabled;
        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(454, (await client.SendMessageOrFirstRefusalAsync(rig.Mailbox, "someone@example.test", "Subject: x\r\n\r\nbody")).Code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(rig, "/readyz")).Status);

        rig.Office.XOAuth2Reply = null;
        await time.FireTimerAsync(TimeSpan.FromMinutes(2));
        await rig.Relay.Logs.WaitForLineAsync("the Smtp upstream accepts the relay's token again");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(rig, "/readyz")).Status);
    }

    [Fact]
    public async Task Imap_and_pop3_refusals_are_each_reported_with_their_action_and_counted()
    {
        await using var rig = await StartAsync();
        rig.Imap.RejectTokens = true;
        rig.Pop3.RejectTokens = true;

        // One login each, as a legacy client sends it.
        await using (var imap = await RawImap.OpenAsync(rig.Relay.EndPoint("imap")))
            Assert.StartsWith("a1 NO [UNAVAILABLE]", Assert.Single(await imap.CommandAsync("a1", $"LOGIN {RelayTestHost.UserName} \"{RelayTestHost.Password}\"")));
        await using (var pop3 = await RawLineClient.ConnectAsync(rig.Relay.EndPoint("pop3")))
        {
            await pop3.ReadLineAsync();
            await pop3.ExchangeAsync($"USER {RelayTestHost.UserName}");
            Assert.StartsWith("-ERR [SYS/TEMP]", await pop3.ExchangeAsync($"PASS {RelayTestHost.Password}"));
        }

        var (status, body) = await GetAsync(rig, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("office: Unauthorized", body);
        Assert.Contains("Imap upstream refused the token", body);
        Assert.Contains("-ImapEnabled $true", body);
        Assert.Contains("oauthrelay_upstream_token_refusals_total{account=\"office\"} 2", (await GetAsync(rig, "/metrics")).Body);
        Assert.Contains("Pop3 upstream", (await GetAsync(rig, "/status")).Body);
    }
}
