using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OAuthRelay.Observability;

namespace OAuthRelay.Tests.Relay;

/// <summary>Every message the relay refuses leaves one log line and one count, whatever the step and the reason.</summary>
public sealed partial class RefusalVisibilityTests
{
    private static async Task<double> RefusedAsync(RelayRig rig, string stage, string replyClass)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://{rig.Relay.Services.GetRequiredService<AdminEndpoint>().EndPoint}/metrics");
        var match = Regex.Match(text, $@"^oauthrelay_messages_total\{{client=""app"",stage=""{stage}"",reply_class=""{replyClass}""\}} (\d+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value) : 0;
    }

    [Fact]
    public async Task A_refusal_at_MAIL_is_one_log_line_and_one_count()
    {
        await using var rig = await RelayRig.StartAsync(s => s["Admin:Port"] = "0");

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(550, (await client.CommandAsync("MAIL FROM:<ceo@contoso.test>")).Code);

        var line = Assert.Single(rig.Relay.Logs.Lines, l => l.Contains("message refused"));
        Assert.Contains("at MAIL client=app account=office", line);
        Assert.Contains("reply=\"550 ", line);
        Assert.StartsWith("Information", line);
        Assert.Equal(1, await RefusedAsync(rig, "MAIL", "5xx"));
    }

    /// <summary>The upstream is reached only once the content is in, so its failures are the end of DATA's reply.</summary>
    [Theory]
    [InlineData("upstream down", 451)]
    [InlineData("tokens failing", 454)]
    public async Task An_upstream_failure_is_a_temporary_refusal_at_DATA_with_one_log_line_and_one_count(string cause, int code)
    {
        await using var rig = await RelayRig.StartAsync(s =>
        {
            s["Admin:Port"] = "0";
            if (cause == "upstream down") s["Upstream:Port"] = "9"; // discard: nothing listens
        });
        if (cause == "tokens failing") await rig.Relay.Services.GetRequiredService<OAuthRelay.Tokens.TokenService>().LogoutAsync("office");

        await using (var client = await rig.Relay.OpenAuthenticatedAsync())
            Assert.Equal(code, (await client.SendMessageAsync(rig.Mailbox, "someone@example.test", "Subject: refused\r\n\r\nbody")).Code);

        var line = Assert.Single(rig.Relay.Logs.Lines, l => l.Contains(" refused for now client=app account=office mode=PassThrough"));
        Assert.Contains($"reply=\"{code} ", line);
        Assert.StartsWith("Warning", line);
        Assert.DoesNotContain(rig.Relay.Logs.Lines, l => l.Contains("message refused"));
        Assert.Equal(1, await RefusedAsync(rig, "DATA", "4xx"));
        Assert.Empty(rig.Office.Messages);
    }
}
