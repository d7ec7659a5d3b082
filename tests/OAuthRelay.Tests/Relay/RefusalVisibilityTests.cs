using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;

namespace OAuthRelay.Tests.Relay;

/// <summary>Every message the relay refuses leaves one log line and one count, whatever the step and the reason.</summary>
public sealed partial class RefusalVisibilityTests
{
    private static async Task<double> RefusedAtMailAsync(RelayRig rig, string replyClass)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}/metrics");
        var match = Regex.Match(text, $@"^oauthrelay_messages_total\{{client=""app"",stage=""MAIL"",reply_class=""{replyClass}""\}} (\d+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value) : 0;
    }

    [Theory]
    [InlineData("upstream down", 451, "4xx")]
    [InlineData("tokens failing", 454, "4xx")]
    [InlineData("sender refused", 550, "5xx")]
    public async Task A_refusal_at_MAIL_is_one_log_line_and_one_count(string cause, int code, string replyClass)
    {
        await using var rig = await RelayRig.StartAsync(s =>
        {
            s["Admin:Port"] = "0";
            if (cause == "upstream down") s["Upstream:Port"] = "9"; // discard: nothing listens
        });
        if (cause == "tokens failing") await rig.Relay.Services.GetRequiredService<OAuthRelay.Tokens.TokenService>().LogoutAsync("office");
        var sender = cause == "sender refused" ? "ceo@contoso.test" : rig.Mailbox;

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(code, (await client.CommandAsync($"MAIL FROM:<{sender}>")).Code);

        var lines = rig.Relay.Logs.Lines.Where(l => l.Contains("message refused")).ToList();
        var line = Assert.Single(lines);
        Assert.Contains("at MAIL client=app account=office", line);
        Assert.Contains($"reply=\"{code} ", line);
        Assert.StartsWith(code < 500 ? "Warning" : "Information", line);
        Assert.Equal(1, await RefusedAtMailAsync(rig, replyClass));
    }
}
