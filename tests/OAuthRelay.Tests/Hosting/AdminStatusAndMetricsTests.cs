using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Relay;
using OAuthRelay.Tokens;

namespace OAuthRelay.Tests.Hosting;

/// <summary>The admin endpoint over HTTP on loopback: probes, /status and /metrics, with and without a bearer token.</summary>
public sealed class AdminStatusAndMetricsTests
{
    private const string Token = "admin-token-for-tests-0123";

    private static Uri Admin(RelayRig rig, string path) => new($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}{path}");

    private static Task<RelayRig> StartWithBearerTokenAsync() => RelayRig.StartAsync(s =>
    {
        s["Admin:Port"] = "0";
        s["Admin:BearerToken"] = Token;
    });

    [Fact]
    public async Task Metrics_parse_as_prometheus_text_and_count_the_relayed_message()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Admin:Port"] = "0");
        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
        {
            var reply = await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: metrics\r\n\r\nHello.");
            Assert.Equal(250, reply.Code);
        }

        using var http = new HttpClient();
        var response = await http.GetAsync(Admin(rig, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();

        var samples = PrometheusText.Parse(text);
        Assert.Equal(1, samples["oauthrelay_messages_total{client=\"app\",stage=\"DATA\",reply_class=\"2xx\"}"]);
        Assert.Equal(1, samples["oauthrelay_message_size_bytes_count"]);
        Assert.True(samples["oauthrelay_token_requests_total{account=\"office\"}"] >= 1);
        Assert.Equal(1, samples["oauthrelay_token_healthy{account=\"office\"}"]);
        Assert.Equal(1, samples["oauthrelay_upstream_connections{identity=\"relay@contoso.test (XOAUTH2, account office)\",state=\"idle\"}"]);
    }

    [Fact]
    public async Task Probes_are_open_while_status_and_metrics_want_the_bearer_token()
    {
        await using var rig = await StartWithBearerTokenAsync();
        using var http = new HttpClient();

        Assert.Equal("ok", await http.GetStringAsync(Admin(rig, "/healthz")));
        Assert.Equal("ready", await http.GetStringAsync(Admin(rig, "/readyz")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(Admin(rig, "/status"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(Admin(rig, "/metrics"))).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, Admin(rig, "/status")) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var clients = status.RootElement.GetProperty("clients").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("oauth").GetString());
        Assert.Equal("on", clients["app"]);
        Assert.Equal("off", clients["basic"]);
        Assert.Contains(status.RootElement.GetProperty("listeners").EnumerateArray(), l => l.GetProperty("name").GetString() == "imap" && l.GetProperty("protocol").GetString() == "Imap");
        var account = status.RootElement.GetProperty("accounts")[0];
        Assert.Equal("Healthy", account.GetProperty("state").GetString());
        Assert.Equal(rig.Mailbox, account.GetProperty("signedInAs").GetString());
        // When the process started, not when status was first asked for.
        Assert.Equal(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), status.RootElement.GetProperty("started").GetDateTimeOffset().UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(Token, rig.Relay.Logs.All);
    }

    [Fact]
    public async Task The_bearer_scheme_may_be_written_in_any_case_while_the_token_must_match_exactly()
    {
        await using var rig = await StartWithBearerTokenAsync();
        using var http = new HttpClient();
        async Task<HttpStatusCode> StatusWith(string authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Admin(rig, "/status"));
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return (await http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StatusWith($"bearer {Token}"));
        Assert.Equal(HttpStatusCode.OK, await StatusWith($"BEARER {Token}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith($"Bearer {Token.ToUpperInvariant()}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith($"Bearer {Token}0"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith($"Basic {Token}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(Token));
    }

    [Fact]
    public async Task Readyz_is_503_while_an_account_needs_sign_in()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Admin:Port"] = "0");
        rig.Entra.Failure = (400, "invalid_client", 7000215);
        rig.Entra.AccessTokenLifetimeSeconds = 1;
        await Assert.ThrowsAsync<TokenUnavailableException>(() =>
            rig.Relay.Services.GetRequiredService<TokenService>().RenewAsync("office"));

        using var http = new HttpClient();
        var response = await http.GetAsync(Admin(rig, "/readyz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("7000215", await response.Content.ReadAsStringAsync());
    }
}
