using System.Text;
using OAuthRelay.Tests.Infrastructure;
using OAuthRelay.Tests.Mailbox;

namespace OAuthRelay.Tests.Relay;

/// <summary>Text a client chooses is escaped in log lines: no forged lines, no terminal escape sequences.</summary>
public sealed class LogInjectionTests
{
    private const string Forged = "x\r\nInformation OAuthRelay: forged line\u001b[31m\u2028";

    [Fact]
    public async Task A_user_name_or_sender_with_line_breaks_and_escape_codes_is_logged_escaped()
    {
        await using var host = await RelayTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Listeners:imap:Address"] = "127.0.0.1", ["Listeners:imap:Port"] = "0", ["Listeners:imap:Protocol"] = "Imap",
            ["Clients:app:AllowedSenders:0"] = RelayTestHost.UserName,
        });
        await using (var smtp = await host.OpenAsync())
        {
            await smtp.CommandAsync("EHLO client.test");
            Assert.Equal(535, (await smtp.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Forged}\0pw"))}")).Code);
            Assert.Equal(235, (await smtp.CommandAsync($"AUTH PLAIN {RelayTestHost.PlainResponse}")).Code);
            Assert.Equal(550, (await smtp.CommandAsync("MAIL FROM:<\u001b7\u0007ceo@contoso.test>")).Code);
        }

        await using (var imap = await RawImap.OpenAsync(host.EndPoint("imap")))
        {
            var user = Encoding.UTF8.GetBytes(Forged);
            await imap.SendRawAsync($"a1 LOGIN {{{user.Length}+}}\r\n");
            await imap.SendRawAsync(user);
            await imap.SendRawAsync(" pw\r\n");
            Assert.Equal(["a1 NO [AUTHENTICATIONFAILED] Authentication failed"], await imap.ReadUntilAsync("a1 "));
        }

        var lines = host.Logs.Lines;
        Assert.DoesNotContain(lines, l => l.Any(c => char.IsControl(c) || c == '\u2028'));
        Assert.Equal(2, lines.Count(l => l.Contains(@"x\x0D\x0AInformation OAuthRelay: forged line\x1B[31m\u2028")));
        Assert.Contains(lines, l => l.Contains(@"may not send as \x1B7\x07ceo@contoso.test"));
    }
}
